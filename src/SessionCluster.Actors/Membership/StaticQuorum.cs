namespace SessionCluster.Actors.Membership;

/// <summary>A side survives if it holds at least <see cref="QuorumSize"/> counted members.</summary>
/// <remarks>
/// For clusters of a known size. With more than 2 × quorum − 1 counted members both sides of a split could hold a
/// quorum and each would down the other — two clusters; so in that case this strategy downs everyone instead.
/// </remarks>
public sealed class StaticQuorum : IDowningStrategy
{
    public const string StrategyName = "static-quorum";

    public StaticQuorum(int quorumSize, string? role = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quorumSize, 1);
        QuorumSize = quorumSize;
        Role = string.IsNullOrEmpty(role) ? null : role;
    }

    public string Name => StrategyName;

    public int QuorumSize { get; }

    public string? Role { get; }

    public DowningDecision Decide(SplitSides sides)
    {
        ArgumentNullException.ThrowIfNull(sides);
        var reachable = SplitSides.Counted(sides.Reachable, Role).Count;
        var unreachable = SplitSides.Counted(sides.Unreachable, Role).Count;
        if (reachable + unreachable > (2 * QuorumSize) - 1)
        {
            return DowningDecision.DownAll;
        }

        return reachable >= QuorumSize ? DowningDecision.DownUnreachable : DowningDecision.DownReachable;
    }
}
