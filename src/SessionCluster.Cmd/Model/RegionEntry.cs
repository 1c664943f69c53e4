namespace SessionCluster.Cmd.Model;

/// <summary>One region in <c>GET /cluster/regions</c>: a worker or front node the coordinator knows, with its weight and counts from the coordinator's table.</summary>
public sealed record RegionEntry(
    string Address,
    bool HostsShards,
    int Weight,
    bool Draining,
    int Shards,
    int Backups,
    long Sessions);
