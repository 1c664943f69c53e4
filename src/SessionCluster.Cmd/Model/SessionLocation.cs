namespace SessionCluster.Cmd.Model;

/// <summary><c>GET /cluster/sessions/{id}</c>: the shard a session id hashes to, that shard's home and epoch, and its backups (absent on older nodes).</summary>
public sealed record SessionLocation(
    string Id,
    int Shard,
    string? Home,
    long Epoch,
    IReadOnlyList<string>? Backups = null);
