namespace SessionCluster.Actors.Membership;

/// <summary>The side holding the oldest counted member survives: it hosts the singletons, so they never move.</summary>
/// <remarks>
/// With <see cref="DownIfAlone"/>, an oldest member cut off on its own is the one downed instead, so a crash or
/// isolation of that one node does not take the rest of the cluster with it; both sides compute the same oldest,
/// so their decisions stay complementary.
/// </remarks>
public sealed class KeepOldest(bool downIfAlone = true, string? role = null) : IDowningStrategy
{
    public const string StrategyName = "keep-oldest";

    public string Name => StrategyName;

    public bool DownIfAlone { get; } = downIfAlone;

    public string? Role { get; } = string.IsNullOrEmpty(role) ? null : role;

    public DowningDecision Decide(SplitSides sides)
    {
        ArgumentNullException.ThrowIfNull(sides);
        var reachable = SplitSides.Counted(sides.Reachable, Role);
        var unreachable = SplitSides.Counted(sides.Unreachable, Role);
        var oldest = reachable.Concat(unreachable).Aggregate((Member?)null, (best, member) => best is null || member.IsOlderThan(best) ? member : best);
        if (oldest is null)
        {
            // Nobody counted (all Joining): fall back to the lowest address, which both sides agree on.
            return new KeepMajority(Role).Decide(sides);
        }

        var oldestIsHere = reachable.Contains(oldest);
        var oldestSide = oldestIsHere ? reachable : unreachable;
        var otherSide = oldestIsHere ? unreachable : reachable;
        var alone = DownIfAlone && oldestSide.Count == 1 && otherSide.Count > 0;
        return oldestIsHere != alone ? DowningDecision.DownUnreachable : DowningDecision.DownReachable;
    }
}
