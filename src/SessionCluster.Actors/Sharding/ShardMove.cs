using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Sharding;

/// <summary>A rebalancing decision: hand <see cref="Shard"/> off from region <see cref="From"/> to region <see cref="To"/>.</summary>
public sealed record ShardMove(int Shard, NodeAddress From, NodeAddress To)
{
    public override string ToString() => $"shard {Shard}: {From} -> {To}";
}
