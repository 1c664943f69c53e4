namespace SessionCluster.Actors.Management;

/// <summary>What a node holds now, for <c>GET /cluster/node</c>: zeros on a node that hosts no sessions.</summary>
/// <param name="Sessions">Sessions in the shards this node serves.</param>
/// <param name="Shards">Shards this node serves.</param>
/// <param name="Backups">Backup copies of shards served elsewhere.</param>
public sealed record NodeCounts(int Sessions, int Shards, int Backups)
{
    public static NodeCounts None { get; } = new(0, 0, 0);
}
