namespace SessionCluster.Actors.Membership;

/// <summary>A split-brain resolver strategy: given the two sides of a stable split, which side goes down.</summary>
/// <remarks>Pure: every leader of every side runs the same strategy on its own view, so a strategy is safe only if
/// the decisions taken on the two sides of one split are complementary (exactly one side survives, or none).</remarks>
public interface IDowningStrategy
{
    /// <summary>The strategy's name in settings (<c>keep-majority</c>, ...).</summary>
    string Name { get; }

    DowningDecision Decide(SplitSides sides);
}
