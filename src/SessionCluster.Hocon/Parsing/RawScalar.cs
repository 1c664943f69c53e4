namespace SessionCluster.Hocon;

/// <summary>A literal scalar, or a run of whitespace kept between the pieces of a concatenation.</summary>
internal sealed class RawScalar : RawNode
{
    public RawScalar(HoconScalar value, bool isWhitespace = false)
        : base(value.Origin)
    {
        Value = value;
        IsWhitespace = isWhitespace;
    }

    public HoconScalar Value { get; }

    public bool IsWhitespace { get; }
}
