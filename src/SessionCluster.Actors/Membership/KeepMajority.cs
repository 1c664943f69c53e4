namespace SessionCluster.Actors.Membership;

/// <summary>The side with more counted members survives; on a tie, the side holding the lowest address does.</summary>
/// <remarks>The default: it needs no configuration and is complementary whenever both sides see the same split. With
/// a role, only members with that role are counted (e.g. keep the side with most workers).</remarks>
public sealed class KeepMajority(string? role = null) : IDowningStrategy
{
    public const string StrategyName = "keep-majority";

    public string Name => StrategyName;

    public string? Role { get; } = string.IsNullOrEmpty(role) ? null : role;

    public DowningDecision Decide(SplitSides sides)
    {
        ArgumentNullException.ThrowIfNull(sides);
        var reachable = SplitSides.Counted(sides.Reachable, Role);
        var unreachable = SplitSides.Counted(sides.Unreachable, Role);
        if (reachable.Count != unreachable.Count)
        {
            return reachable.Count > unreachable.Count ? DowningDecision.DownUnreachable : DowningDecision.DownReachable;
        }

        // A tie (or nobody counted at all): both sides compute the same lowest address, so exactly one keeps going.
        var tieBreakReachable = reachable.Count > 0 ? reachable : [.. sides.Reachable];
        var tieBreakUnreachable = unreachable.Count > 0 ? unreachable : [.. sides.Unreachable];
        var lowestReachable = tieBreakReachable.Select(member => member.UniqueAddress).Min();
        var lowestUnreachable = tieBreakUnreachable.Select(member => member.UniqueAddress).Min();
        return lowestUnreachable is null || (lowestReachable is not null && lowestReachable.CompareTo(lowestUnreachable) < 0)
            ? DowningDecision.DownUnreachable
            : DowningDecision.DownReachable;
    }
}
