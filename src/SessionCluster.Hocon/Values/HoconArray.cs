namespace SessionCluster.Hocon;

/// <summary>A resolved HOCON array.</summary>
public sealed class HoconArray : HoconValue
{
    public HoconArray(IReadOnlyList<HoconValue> items, HoconOrigin origin)
        : base(origin)
    {
        ArgumentNullException.ThrowIfNull(items);
        Items = items;
    }

    public IReadOnlyList<HoconValue> Items { get; }

    public int Count => Items.Count;
}
