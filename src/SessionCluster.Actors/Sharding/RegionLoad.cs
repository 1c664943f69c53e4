using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Sharding;

/// <summary>One shard-hosting region as the allocation strategy sees it: where it is, how much it can take, what it holds.</summary>
/// <param name="Region">The node the region runs on; also the tie-breaker, lowest address first.</param>
/// <param name="Weight">Capacity relative to the other regions (mod_jk's lbfactor), finite and at least 0. A region of
/// weight 2 gets twice the shards of a region of weight 1. Weight 0 takes no new shards and is emptied by
/// rebalancing: a draining or leaving node.</param>
/// <param name="Shards">The shard ids the region holds now, including any that are being moved away from it.</param>
public sealed record RegionLoad(NodeAddress Region, double Weight, IReadOnlySet<int> Shards);
