using System.Collections.Immutable;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Membership;

/// <summary>This node, as leader of its side, resolved a stable split: which strategy, what it decided, whom it downed.
/// Logged at Information: it is the one automatic decision that takes nodes out of the cluster.</summary>
public sealed record DowningDecided(string Strategy, DowningDecision Decision, ImmutableArray<UniqueAddress> Downed) : ClusterEvent;
