namespace SessionCluster.Hocon;

/// <summary>A <c>${path}</c> or <c>${?path}</c> reference.</summary>
internal sealed class RawSubstitution : RawNode
{
    public RawSubstitution(HoconPath path, bool optional, HoconOrigin origin)
        : base(origin)
    {
        Path = path;
        Optional = optional;
    }

    public HoconPath Path { get; }

    public bool Optional { get; }

    public override string ToString() => Optional ? $"${{?{Path}}}" : $"${{{Path}}}";
}
