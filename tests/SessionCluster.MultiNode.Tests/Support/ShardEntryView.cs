namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>One entry of <c>shards</c> in <c>GET /cluster/shards</c>: where a shard lives, decided in which epoch.</summary>
/// <param name="Id">The shard, 0 to number-of-shards - 1.</param>
/// <param name="Home">The home's cluster address (<c>host:port</c>), or null while the observer knows none.</param>
/// <param name="Epoch">The epoch the home was decided in; every move of the shard raises it.</param>
/// <param name="Sessions">Sessions in the shard as its home counted them, or null when the home did not answer in time.</param>
/// <param name="Backups">The cluster addresses of the nodes holding backup copies (absent before replication: empty).</param>
internal sealed record ShardEntryView(int Id, string? Home, long Epoch, int? Sessions, IReadOnlyList<string>? Backups = null);
