using System.Collections.Immutable;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Actors.Sharding;

/// <summary>Something a sharding state machine (<see cref="ShardRegion"/>, <see cref="ShardCoordinator"/>) asks its host to do.</summary>
public abstract record ShardingEffect;

/// <summary>Send <paramref name="Message"/> to the region or coordinator on <paramref name="To"/> (best effort).</summary>
public sealed record SendToNode(NodeAddress To, object Message) : ShardingEffect;

/// <summary>Apply the command to the local shard's session and answer the envelope's origin.</summary>
public sealed record DeliverLocally(ShardEnvelope Envelope) : ShardingEffect;

/// <summary>Answer the local request <paramref name="RequestId"/> with <paramref name="Reply"/>.</summary>
public sealed record CompleteRequest(long RequestId, object Reply) : ShardingEffect;

/// <summary>Start hosting a shard, empty or with the sessions (whole replicated states) handed over; <paramref name="HandedOver"/>
/// when they came by a hand-off (a move), false for a new allocation or a backup's promotion.</summary>
public sealed record StartShard(int Shard, ImmutableArray<SessionCrdt> Sessions, bool HandedOver = false) : ShardingEffect;

/// <summary>Stop the shard's entities and report its sessions with <see cref="ShardRegion.ShardCollected"/>.</summary>
public sealed record CollectShard(int Shard) : ShardingEffect;

/// <summary>Serve the collected (or collecting) shard again: its hand-off was called off.</summary>
public sealed record ResumeShard(int Shard) : ShardingEffect;

/// <summary>Forget the shard and its sessions: they live elsewhere now; <paramref name="HandedOffTo"/> names the new home
/// when this node handed them over there (a confirmed move), null otherwise (superseded, or out of the cluster).</summary>
public sealed record DropShard(int Shard, NodeAddress? HandedOffTo = null) : ShardingEffect;

/// <summary>Home: ship the shard's deltas to <paramref name="Backups"/> under <paramref name="Epoch"/>, and copy the
/// whole shard to any backup that did not have it before.</summary>
public sealed record ReplicateShard(int Shard, long Epoch, ImmutableArray<NodeAddress> Backups) : ShardingEffect;

/// <summary>Backup: keep a copy of the shard, taking deltas and copies from <paramref name="Home"/> under
/// <paramref name="Epoch"/> or newer and refusing older ones.</summary>
public sealed record KeepBackup(int Shard, NodeAddress Home, long Epoch) : ShardingEffect;

/// <summary>Backup: forget the copy of the shard; this node no longer backs it up.</summary>
public sealed record DropBackup(int Shard) : ShardingEffect;

/// <summary>Old home of a confirmed move that made it a backup of the shard: keep the sessions it handed over (the whole
/// shard) as its backup copy, taking deltas and copies from <paramref name="Home"/> under <paramref name="Epoch"/> or newer,
/// and stop serving the shard as <see cref="DropShard"/> does.</summary>
public sealed record KeepShardAsBackup(int Shard, NodeAddress Home, long Epoch) : ShardingEffect;
