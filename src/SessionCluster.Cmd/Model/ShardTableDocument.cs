namespace SessionCluster.Cmd.Model;

/// <summary><c>GET /cluster/shards</c>: the coordinator's shard table as the asked node knows it.</summary>
public sealed record ShardTableDocument(string? Coordinator, IReadOnlyList<ShardEntry> Shards);
