namespace SessionCluster.Hocon;

/// <summary>An array literal whose elements may still contain substitutions.</summary>
internal sealed class RawArray : RawNode
{
    public RawArray(HoconOrigin origin, IEnumerable<RawNode>? items = null)
        : base(origin)
    {
        Items = items is null ? [] : [.. items];
    }

    public List<RawNode> Items { get; }
}
