namespace SessionCluster.Actors.Remoting;

/// <summary>The type ids of every message that crosses the network: the numbers in <c>Envelope.type_id</c>.</summary>
/// <remarks>
/// ONLY APPEND: the numbers are the protocol. A node reads an envelope by its type id alone, so an id that changes
/// meaning, or is reused for another message, makes two versions of the software misread each other silently. Retire an
/// id by commenting it out and leaving the number taken; never renumber. Each layer registers its ids with
/// <see cref="WireSerializer.Register{T, TWire}"/> at start-up; a frame with an id the receiver does not know closes that
/// connection. Ids are positive (0 is protobuf's "absent"); small ids encode in one byte (1–127), so frequent messages
/// (heartbeats, gossip, deltas) should take the low numbers.
/// </remarks>
public static class WireTypeIds
{
    // Membership, replication, sharding and sessions append their ids here as they put messages on the wire.

    // ---- membership: 100–199 (Membership/MembershipWireFormat.cs, Membership/Protos/membership.proto) ----
    // All below 128, so each of these envelopes spends one byte on its type id; heartbeats and gossip are the frequent ones.

    /// <summary>A non-member asks a seed whether it is in a cluster (<c>InitJoin</c>).</summary>
    public const int InitJoin = 100;

    /// <summary>A seed's "I am a member; send me your Join" (<c>InitJoinAck</c>).</summary>
    public const int InitJoinAck = 101;

    /// <summary>A seed's "I am not in a cluster (yet)" (<c>InitJoinNack</c>).</summary>
    public const int InitJoinNack = 102;

    /// <summary>A join that can never succeed: another cluster's name (<c>JoinRefusal</c>).</summary>
    public const int JoinRefusal = 103;

    /// <summary>Asks a member to admit the sender (<c>Join</c>).</summary>
    public const int Join = 104;

    /// <summary>The admitting member's gossip for the joiner (<c>Welcome</c>).</summary>
    public const int Welcome = 105;

    /// <summary>One gossip exchange (<c>GossipEnvelope</c>).</summary>
    public const int GossipEnvelope = 106;

    /// <summary>Proof of life to a monitoring node (<c>Heartbeat</c>).</summary>
    public const int Heartbeat = 107;

    /// <summary>The answer to a heartbeat (<c>HeartbeatAck</c>).</summary>
    public const int HeartbeatAck = 108;

    // ---- sharding: 20–39 (Sharding/ShardingWireFormat.cs, Sharding/Protos/sharding.proto), and replication between
    // regions: 37–39 and 40–59 (Sharding/ReplicaWireFormat.cs) ----
    // All below 128, so each of these envelopes spends one byte on its type id. The hot path takes the lowest numbers:
    // every remote request is a ShardEnvelope answered by a ShardReply (or a ShardNotHere while a shard moves).

    /// <summary>A session command on its way to its shard's home (<c>ShardEnvelope</c>).</summary>
    public const int ShardEnvelope = 20;

    /// <summary>The home's answer to a <c>ShardEnvelope</c> (<c>ShardReply</c>).</summary>
    public const int ShardReply = 21;

    /// <summary>"I do not serve that shard under that epoch": re-resolve and resend (<c>ShardNotHere</c>).</summary>
    public const int ShardNotHere = 22;

    // Retired: 23, ShardTransfer while it carried SessionSnapshots (before sessions were replicated states).
    // public const int ShardTransferOfSnapshots = 23;

    /// <summary>The new home's receipt for one slice (<c>ShardTransferAck</c>).</summary>
    public const int ShardTransferAck = 24;

    /// <summary>A region asks the coordinator where a shard lives (<c>GetShardHome</c>).</summary>
    public const int GetShardHome = 25;

    /// <summary>The coordinator's allocations: shard, home, epoch (<c>ShardHomes</c>).</summary>
    public const int ShardHomes = 26;

    /// <summary>A region asks the coordinator to query it (<c>RegisterRegion</c>).</summary>
    public const int RegisterRegion = 27;

    /// <summary>The coordinator opens a reign with a region (<c>QueryRegion</c>).</summary>
    public const int QueryRegion = 28;

    /// <summary>What a region holds, the answer to a query (<c>RegionReport</c>).</summary>
    public const int RegionReport = 29;

    /// <summary>The coordinator tells a shard's old home to hand it off (<c>HandOffShard</c>).</summary>
    public const int HandOffShard = 30;

    /// <summary>The new home has every session of a shard (<c>ShardReceived</c>).</summary>
    public const int ShardReceived = 31;

    /// <summary>A region asks to be drained, or taken back (<c>DrainRegion</c>).</summary>
    public const int DrainRegion = 32;

    /// <summary>A region asks another for its shards' session counts (<c>GetShardStats</c>).</summary>
    public const int GetShardStats = 33;

    /// <summary>The session counts of the shards a region serves (<c>ShardStats</c>).</summary>
    public const int ShardStats = 34;

    /// <summary>One slice of a shard's sessions as replicated states, old home to new home (<c>ShardTransfer</c>).</summary>
    public const int ShardTransfer = 35;

    /// <summary>A backup holds the home's whole copy of a shard (<c>BackupSynced</c>).</summary>
    public const int BackupSynced = 36;

    /// <summary>One session's deltas, home to backup (<c>ReplicaDelta</c>).</summary>
    public const int ReplicaDelta = 37;

    /// <summary>A backup merged those deltas (<c>ReplicaDeltaAck</c>).</summary>
    public const int ReplicaDeltaAck = 38;

    /// <summary>One slice of a whole shard, home to new backup (a <c>ShardTransfer</c> message).</summary>
    public const int ReplicaCopy = 39;

    /// <summary>A backup merged a slice of the copy (a <c>ShardTransferAck</c> message).</summary>
    public const int ReplicaCopyAck = 40;

    /// <summary>A backup's fingerprints of a shard's sessions, for anti-entropy (<c>ReplicaDigest</c>).</summary>
    public const int ReplicaDigest = 41;

    /// <summary>A read sent to a backup while its shard's home is dead (a <c>ShardEnvelope</c> message).</summary>
    public const int BackupRead = 42;

    /// <summary>An operator's action or question for another node (<c>ManagementRequest</c>).</summary>
    public const int ManagementRequest = 43;

    /// <summary>The acting node's answer to it (<c>ManagementReply</c>).</summary>
    public const int ManagementReply = 44;

    /// <summary>A region's operator-set capacity weight, to the coordinator (<c>RegionWeightChanged</c>).</summary>
    public const int RegionWeightChanged = 45;

    // 46 is kept for the management layer.

    /// <summary>A home asks a backup for its state of some sessions, after anti-entropy found them differing (<c>ReplicaPull</c>).</summary>
    public const int ReplicaPull = 53;

    /// <summary>A backup's state of one session, for its home to merge (a <c>ReplicaDelta</c> message).</summary>
    public const int ReplicaPush = 54;

    /// <summary>A slice of a hand-off as fingerprints, to a new home that keeps a backup copy (<c>ShardTransferOffer</c>).</summary>
    public const int ShardTransferOffer = 55;

    /// <summary>The new home's copy does not match an offered slice: send it in full (<c>ShardTransferDeclined</c>).</summary>
    public const int ShardTransferDeclined = 56;

    /// <summary>Ids from here up belong to tests and benchmarks; production code never registers them.</summary>
    public const int TestRangeStart = 1_000_000;
}
