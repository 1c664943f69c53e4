using System.Collections.Immutable;

namespace SessionCluster.Actors.Replication;

// The protocol between a shard's home and its backups. Every state travels as a CRDT (a delta, a join of deltas, or a
// whole session), so each message may be lost, repeated or reordered; the epoch fences off a home that was replaced.

/// <summary>Marks the messages of the replication protocol, which the transport hands to the replica side of a region.</summary>
public interface IReplicaMessage
{
    /// <summary>The shard the message is about.</summary>
    int Shard { get; }
}

/// <summary>Home → backup: the join of one session's deltas numbered <paramref name="FromSeq"/> to <paramref name="ToSeq"/>.</summary>
public sealed record ReplicaDelta(int Shard, long Epoch, long FromSeq, long ToSeq, SessionCrdt Delta) : IReplicaMessage;

/// <summary>Backup → home: the deltas numbered <paramref name="FromSeq"/> to <paramref name="ToSeq"/> of session
/// <paramref name="SessionId"/> are merged here.</summary>
public sealed record ReplicaDeltaAck(int Shard, long Epoch, UInt128 SessionId, long FromSeq, long ToSeq) : IReplicaMessage;

/// <summary>Home → new backup: slice <paramref name="Chunk"/> of <paramref name="ChunkCount"/> of the whole shard.</summary>
public sealed record ReplicaCopy(int Shard, long Epoch, int Chunk, int ChunkCount, ImmutableArray<SessionCrdt> Sessions) : IReplicaMessage;

/// <summary>Backup → home, every anti-entropy interval: a fingerprint of each session this copy holds. The home answers
/// with the whole state of every session it serves whose fingerprint differs or is missing (as <see cref="ReplicaDelta"/>s),
/// and pulls the backup's state of those that differ or it lacks (<see cref="ReplicaPull"/>).</summary>
public sealed record ReplicaDigest(int Shard, long Epoch, ImmutableArray<SessionFingerprint> Sessions) : IReplicaMessage;

/// <summary>Home → backup, answering a <see cref="ReplicaDigest"/>: send me your state of these sessions, which differ
/// from mine or which I lack. A backup may hold a write the home never had (a promoted backup lacks what only another
/// backup acknowledged), and a merge in both directions is what makes the replicas converge.</summary>
public sealed record ReplicaPull(int Shard, long Epoch, ImmutableArray<UInt128> SessionIds) : IReplicaMessage;

/// <summary>Backup → home, answering a <see cref="ReplicaPull"/>: the backup's state of one session, for the home to merge.</summary>
public sealed record ReplicaPush(int Shard, long Epoch, SessionCrdt State) : IReplicaMessage;

/// <summary>One session in a <see cref="ReplicaDigest"/>.</summary>
public readonly record struct SessionFingerprint(UInt128 SessionId, ulong Hash);

/// <summary>Backup → home: this slice of the copy is merged.</summary>
public sealed record ReplicaCopyAck(int Shard, long Epoch, int Chunk) : IReplicaMessage;
