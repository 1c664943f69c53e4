namespace SessionCluster.Actors.Membership;

/// <summary>Settings of the split-brain resolver (<c>session-cluster.cluster.split-brain-resolver</c>).</summary>
/// <param name="ActiveStrategy">keep-majority, static-quorum, keep-oldest or down-all.</param>
/// <param name="StableAfter">How long the set of unreachable members must stay unchanged before a leader decides;
/// long enough for every node's detector to fire and the observations to spread by gossip, so both sides of a split
/// decide from the same picture.</param>
/// <param name="StableAfterRefused">The same wait when every unreachable member was found unreachable by a refused
/// connection (its process is gone, so no other side decides); 0 to <paramref name="StableAfter"/>.</param>
/// <param name="DownAllWhenUnstable">Extra time after <paramref name="StableAfter"/>, counted from the first
/// unreachability observation, after which a leader that never saw a stable picture downs everyone; null = never.</param>
/// <param name="Role">For keep-majority, static-quorum and keep-oldest: count only members with this role; empty =
/// all members.</param>
/// <param name="QuorumSize">For static-quorum: members a side needs to survive.</param>
/// <param name="DownIfAlone">For keep-oldest: an oldest member alone on its side is downed instead of the rest.</param>
public sealed record SplitBrainSettings(
    string ActiveStrategy,
    TimeSpan StableAfter,
    TimeSpan StableAfterRefused,
    TimeSpan? DownAllWhenUnstable,
    string Role,
    int QuorumSize,
    bool DownIfAlone)
{
    /// <summary>The strategy names <see cref="ActiveStrategy"/> accepts.</summary>
    public static readonly IReadOnlyList<string> StrategyNames =
        [KeepMajority.StrategyName, StaticQuorum.StrategyName, KeepOldest.StrategyName, DownAll.StrategyName];

    /// <summary>The strategy the settings name; throws <see cref="ArgumentException"/> for an unknown name or a
    /// static-quorum without a quorum size.</summary>
    public IDowningStrategy CreateStrategy() => ActiveStrategy switch
    {
        KeepMajority.StrategyName => new KeepMajority(Role),
        StaticQuorum.StrategyName when QuorumSize >= 1 => new StaticQuorum(QuorumSize, Role),
        StaticQuorum.StrategyName => throw new ArgumentException("static-quorum needs quorum-size of at least 1."),
        KeepOldest.StrategyName => new KeepOldest(DownIfAlone, Role),
        DownAll.StrategyName => new DownAll(),
        _ => throw new ArgumentException($"Unknown downing strategy '{ActiveStrategy}': expected one of {string.Join(", ", StrategyNames)}."),
    };
}
