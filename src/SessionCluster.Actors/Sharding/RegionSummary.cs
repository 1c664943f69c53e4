using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Sharding;

/// <summary>One region as the coordinator knows it, for <c>GET /cluster/regions</c>.</summary>
/// <param name="Region">Where the region runs.</param>
/// <param name="HostsShards">False for a proxy (front) region.</param>
/// <param name="Weight">Its capacity weight as last reported or set (not lowered while it drains).</param>
/// <param name="Draining">True while it drains, leaves or has weight 0: rebalancing empties it.</param>
/// <param name="Shards">Shards whose home it is in the coordinator's table.</param>
/// <param name="Backups">Shards it holds a backup copy of in the coordinator's table.</param>
public sealed record RegionSummary(NodeAddress Region, bool HostsShards, double Weight, bool Draining, int Shards, int Backups);
