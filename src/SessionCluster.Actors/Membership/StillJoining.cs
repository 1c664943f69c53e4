using System.Collections.Immutable;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Membership;

/// <summary>This node has tried to join for <paramref name="Waited"/> and is still in no cluster: none of
/// <paramref name="Seeds"/> let it in (none answers, or none is in a cluster yet). Published again every
/// seed-node-timeout × 2 until it joins, so an operator who gave a wrong seed sees it in the log.</summary>
public sealed record StillJoining(ImmutableArray<NodeAddress> Seeds, TimeSpan Waited) : ClusterEvent
{
    public override string ToString() =>
        $"not in a cluster after {Waited.TotalSeconds:0} s: no seed of [{string.Join(", ", Seeds)}] let this node in " +
        "(check session-cluster.cluster.seed-nodes or --seeds, and that a seed is running and reachable)";
}
