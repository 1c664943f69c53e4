namespace SessionCluster.Cmd.Model;

/// <summary><c>GET /cluster/regions</c>: every shard region the coordinator knows.</summary>
public sealed record RegionsDocument(string? Coordinator, IReadOnlyList<RegionEntry> Regions);
