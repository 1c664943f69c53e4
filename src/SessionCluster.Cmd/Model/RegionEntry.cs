namespace SessionCluster.Cmd.Model;

/// <summary>One region in <c>GET /cluster/regions</c>: a worker or front node the coordinator knows, with its weight and counts from the coordinator's table.</summary>
/// <param name="Address">The region's cluster address.</param>
/// <param name="HostsShards">False for a front (a proxy-only region).</param>
/// <param name="Weight">Its capacity weight, 0..100 (0 hosts no shards).</param>
/// <param name="Draining">True while it hands off its shards before leaving.</param>
/// <param name="Shards">Shards whose home it is.</param>
/// <param name="Backups">Backup copies it keeps.</param>
/// <param name="Sessions">Sessions in its home shards; null when the asked node has no shard table (the Lighthouse).</param>
public sealed record RegionEntry(
    string Address,
    bool HostsShards,
    int Weight,
    bool Draining,
    int Shards,
    int Backups,
    long? Sessions);
