namespace SessionCluster.Hocon;

/// <summary>A value as parsed, before substitutions are resolved and objects merged.</summary>
internal abstract class RawNode
{
    protected RawNode(HoconOrigin origin)
    {
        Origin = origin;
    }

    public HoconOrigin Origin { get; }
}
