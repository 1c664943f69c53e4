using System.Collections.Immutable;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Actors.Sharding;

// The protocol between regions: commands to a shard's home and their replies, and the transfer of a shard's
// sessions from its old home to its new one.

/// <summary>A command on its way to the home of its shard; the home replies to <paramref name="Origin"/> directly.</summary>
/// <param name="RequestId">Unique per origin; matches the reply to the waiting request.</param>
/// <param name="Origin">The region the request entered through.</param>
/// <param name="Shard">The command's shard.</param>
/// <param name="Epoch">The allocation the origin believes in; a home serving a newer one sends <see cref="ShardNotHere"/>.</param>
/// <param name="Command">The session command.</param>
public sealed record ShardEnvelope(long RequestId, NodeAddress Origin, int Shard, long Epoch, SessionCommand Command) : IRegionMessage;

/// <summary>A read for a shard whose home died, sent to one of its backups until a backup is promoted: a backup holds
/// every acknowledged write, so it can answer reads at once while writes wait for the promotion. Answered with a
/// <see cref="ShardReply"/>, or <see cref="ShardNotHere"/> from a node without a whole copy.</summary>
public sealed record BackupRead(long RequestId, NodeAddress Origin, int Shard, long Epoch, SessionCommand Command) : Replication.IReplicaMessage
{
    /// <summary>The commands a backup may answer: reads only.</summary>
    public static bool CanServe(SessionCommand command) => command is GetSession or GetAttribute;
}

/// <summary>The home's answer to a <see cref="ShardEnvelope"/>: a session reply.</summary>
public sealed record ShardReply(long RequestId, object Reply) : IRegionMessage;

/// <summary>The receiver does not serve the shard under the epoch asked (or at all): re-resolve and send again.
/// The command was not applied. <paramref name="Home"/> and <paramref name="Epoch"/> are the receiver's best knowledge.</summary>
public sealed record ShardNotHere(long RequestId, int Shard, NodeAddress? Home, long Epoch) : IRegionMessage;

/// <summary>Old home → new home: slice <paramref name="Chunk"/> of <paramref name="ChunkCount"/> of the shard's sessions,
/// each as its whole replicated state.</summary>
public sealed record ShardTransfer(int Shard, long Epoch, int Chunk, int ChunkCount, ImmutableArray<SessionCrdt> Sessions) : IRegionMessage;

/// <summary>New home → old home: this slice arrived; stop re-sending it.</summary>
public sealed record ShardTransferAck(int Shard, long Epoch, int Chunk) : IRegionMessage;

/// <summary>Old home → new home that keeps a backup copy of the shard: slice <paramref name="Chunk"/> of
/// <paramref name="ChunkCount"/> of the hand-off as each session's fingerprint instead of its state. The new home takes
/// the slice from its own copy if every session there matches, and otherwise answers
/// <see cref="ShardTransferDeclined"/>, asking for the slice in full.</summary>
public sealed record ShardTransferOffer(int Shard, long Epoch, int Chunk, int ChunkCount, ImmutableArray<OfferedSession> Sessions) : IRegionMessage;

/// <summary>One session of a <see cref="ShardTransferOffer"/>: its fingerprint (<see cref="SessionDigest"/>, which
/// leaves the last access out) and its last access, which a backup copy may hold older (reads replicate it only now and
/// then).</summary>
public readonly record struct OfferedSession(UInt128 SessionId, ulong Hash, DateTimeOffset LastAccessed);

/// <summary>New home → old home: some session of this offered slice is missing from the new home's copy or differs
/// there; send the slice in full.</summary>
public sealed record ShardTransferDeclined(int Shard, long Epoch, int Chunk) : IRegionMessage;

/// <summary>The answer to a request whose shard has no reachable home right now (unknown, moving for too long,
/// buffer full, or its node gone); the web layer turns it into 503 with Retry-After. The command was not applied,
/// unless <paramref name="MayHaveApplied"/>: the home went away after receiving it.</summary>
public sealed record ShardUnavailable(int Shard, string Reason, bool MayHaveApplied = false);

/// <summary>Region → region: how many sessions do your shards hold? (for <c>GET /cluster/shards</c>)</summary>
public sealed record GetShardStats(long QueryId) : IRegionMessage;

/// <summary>The answer to <see cref="GetShardStats"/>: session counts of the shards the sender serves.</summary>
public sealed record ShardStats(long QueryId, ImmutableArray<ShardSessionCount> Shards) : IRegionMessage;

/// <summary>One shard's session count in <see cref="ShardStats"/>.</summary>
public readonly record struct ShardSessionCount(int Shard, int Sessions);
