namespace SessionCluster.Cmd.Views;

/// <summary>One node's line in <see cref="ShardingStats"/>: the shards it is home to, the backup copies it keeps and the sessions in its home shards.</summary>
/// <param name="Address">The node's cluster address.</param>
/// <param name="Roles">Its roles, empty when it is not a member.</param>
/// <param name="Status">The member status from <c>/cluster/members</c>, or null when the node is in the shard table but not (or no longer) a member.</param>
/// <param name="Shards">Shards whose home it is.</param>
/// <param name="Backups">Backup copies it keeps of shards homed elsewhere.</param>
/// <param name="Sessions">Sessions in its home shards.</param>
/// <param name="Route">Its route name (<c>--route</c>), null when it has none or is not a member.</param>
public sealed record NodeShardStats(
    string Address,
    IReadOnlyList<string> Roles,
    string? Status,
    int Shards,
    int Backups,
    long Sessions,
    string? Route = null);
