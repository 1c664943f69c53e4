using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Replication;

/// <summary>What a session's writer needs from its node to replicate: the shard's current backups, sequence numbers,
/// the wire, and the answer for a write that did not reach its backups in time.</summary>
/// <remarks>Implemented by the sharding layer, which knows the shards, their allocations and the transport.</remarks>
public interface IReplicaChannel
{
    ReplicationSettings Settings { get; }

    /// <summary>The shard a session belongs to.</summary>
    int ShardOf(UInt128 sessionId);

    /// <summary>Where the shard's deltas go now (empty while it has no backup).</summary>
    ReplicaTargets TargetsOf(int shard);

    /// <summary>A sequence number for the shard's next delta: increasing on this node, across entity incarnations.</summary>
    long NextSeq(int shard);

    /// <summary>Sends a replication message to another node (best effort).</summary>
    void Send(NodeAddress to, object message);

    /// <summary>The reply to a request whose writes did not become safe within the write timeout: the write is applied
    /// here and keeps being sent, but the client must not take it as durable.</summary>
    object NotReplicated(int shard);
}
