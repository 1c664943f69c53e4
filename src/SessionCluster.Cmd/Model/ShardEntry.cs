namespace SessionCluster.Cmd.Model;

/// <summary>One shard in <c>GET /cluster/shards</c>: its home (null while unallocated), allocation epoch, backups and session count (null when unknown).</summary>
public sealed record ShardEntry(
    int Id,
    string? Home,
    long Epoch,
    IReadOnlyList<string>? Backups = null,
    long? Sessions = null);
