namespace SessionCluster.Actors.Sharding;

// Local questions and orders to the ShardRegionActor on behalf of the management API (an operator's action).

/// <summary>To the <see cref="ShardRegionActor"/>: take <paramref name="Weight"/> as this region's capacity weight and
/// tell the coordinator. Reply: <see cref="RegionWeightSet"/>.</summary>
public sealed record SetRegionWeight(double Weight);

/// <summary>The region took the weight; <see cref="HostsShards"/> false means it is a proxy and ignored it.</summary>
public sealed record RegionWeightSet(bool HostsShards, double Weight);

/// <summary>To the <see cref="ShardRegionActor"/>: if this node's coordinator is active, run a rebalance round now.
/// Reply: <see cref="CoordinatorAnswer"/>.</summary>
public sealed record RebalanceNow
{
    public static readonly RebalanceNow Instance = new();
}

/// <summary>To the <see cref="ShardRegionActor"/>: the regions of this node's coordinator's table. Reply:
/// <see cref="CoordinatorAnswer"/>.</summary>
public sealed record GetCoordinatorRegions
{
    public static readonly GetCoordinatorRegions Instance = new();
}

/// <summary>The answer of this node's coordinator: <paramref name="Active"/> false when it is not the active coordinator
/// (another node holds the post, or it is still rebuilding its table), and then nothing was done.</summary>
public sealed record CoordinatorAnswer(bool Active, IReadOnlyList<RegionSummary> Regions);
