namespace SessionCluster.Hocon;

/// <summary>Adjacent values such as <c>${host}:8080</c> or <c>${base} { extra = 1 }</c>, joined after resolution.</summary>
internal sealed class RawConcatenation : RawNode
{
    public RawConcatenation(IReadOnlyList<RawNode> pieces)
        : base(pieces[0].Origin)
    {
        Pieces = pieces;
    }

    /// <summary>The pieces in order, including whitespace runs between them.</summary>
    public IReadOnlyList<RawNode> Pieces { get; }
}
