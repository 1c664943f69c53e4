namespace SessionCluster.Hocon;

/// <summary>A fully resolved HOCON value (object, array or scalar) that remembers where it was defined.</summary>
public abstract class HoconValue
{
    // Only this assembly defines value kinds, so callers can switch over the three sealed subclasses.
    private protected HoconValue(HoconOrigin origin)
    {
        ArgumentNullException.ThrowIfNull(origin);
        Origin = origin;
    }

    public HoconOrigin Origin { get; }
}
