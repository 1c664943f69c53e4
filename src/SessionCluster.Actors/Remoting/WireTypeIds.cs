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

    /// <summary>Ids from here up belong to tests and benchmarks; production code never registers them.</summary>
    public const int TestRangeStart = 1_000_000;
}
