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

    /// <summary>Ids from here up belong to tests and benchmarks; production code never registers them.</summary>
    public const int TestRangeStart = 1_000_000;
}
