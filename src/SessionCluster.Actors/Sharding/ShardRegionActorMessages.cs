using System.Collections.Immutable;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Actors.Sharding;

/// <summary>To the <see cref="ShardRegionActor"/>: route this command to its shard's home. Reply: the session's reply,
/// or <see cref="ShardUnavailable"/>.</summary>
/// <param name="Command">The command.</param>
/// <param name="SentBefore">True for a request already sent to a home that died: it may have been applied there, so a
/// failure from now on must say so.</param>
/// <param name="UnansweredBy">The node it was sent to straight (see <see cref="RemoteRequests"/>) that has not answered
/// in time: if the region still takes it for the shard's home, it asks the coordinator again first.</param>
public sealed record RouteCommand(SessionCommand Command, bool SentBefore = false, NodeAddress? UnansweredBy = null);

/// <summary>To the <see cref="ShardRegionActor"/>: start (or stop) draining this node. Reply: <see cref="RegionDrainStatus"/>.</summary>
public sealed record DrainRegionCommand(bool Draining);

/// <summary>To the <see cref="ShardRegionActor"/>: has draining finished? Reply: <see cref="RegionDrainStatus"/>.</summary>
public sealed record GetRegionDrainStatus
{
    public static readonly GetRegionDrainStatus Instance = new();
}

/// <summary>How many shards this node still holds in any form (serving, handing off, receiving).</summary>
public sealed record RegionDrainStatus(int HeldShards)
{
    public bool HoldsNothing => HeldShards == 0;
}

/// <summary>To the <see cref="ShardRegionActor"/>: the shard table as this node knows it. Reply: <see cref="ShardTable"/>.</summary>
public sealed record GetShardTable
{
    public static readonly GetShardTable Instance = new();
}

/// <summary>Every shard's home as this node knows it (the coordinator tells every region every allocation).</summary>
/// <param name="Coordinator">Where this node believes the coordinator is.</param>
/// <param name="Shards">One entry per shard, in shard order.</param>
public sealed record ShardTable(NodeAddress? Coordinator, ImmutableArray<ShardTableEntry> Shards);

/// <summary>One shard in a <see cref="ShardTable"/>; <see cref="Sessions"/> is known only for shards hosted here.</summary>
public sealed record ShardTableEntry(int Shard, NodeAddress? Home, long Epoch, int? Sessions)
{
    /// <summary>The nodes holding backup copies of the shard, as this node last heard.</summary>
    public ImmutableArray<NodeAddress> Backups { get; init; } = [];
}

/// <summary>To the <see cref="ShardRegionActor"/>: where does this session live? Reply: <see cref="SessionLocation"/>.</summary>
public sealed record LocateSession(SessionId SessionId);

/// <summary>A session's shard and that shard's home and epoch as this node knows them (home null while unknown or moving).</summary>
public sealed record SessionLocation(SessionId SessionId, int Shard, NodeAddress? Home, long Epoch)
{
    /// <summary>The nodes holding backup copies of the session's shard, as this node last heard.</summary>
    public ImmutableArray<NodeAddress> Backups { get; init; } = [];
}

/// <summary>From the transport's reader to the region actor: this node's backup copy of the shard is now whole.</summary>
public sealed record BackupCopyCompleted(int Shard);
