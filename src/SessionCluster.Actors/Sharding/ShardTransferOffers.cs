using System.Collections.Immutable;
using SessionCluster.Actors.Replication;

namespace SessionCluster.Actors.Sharding;

/// <summary>A hand-off onto a node that already keeps a backup copy of the shard: the old home offers each slice as the
/// sessions' fingerprints (<see cref="Of"/>), and the new home takes the slice from its own copy when every session there
/// matches (<see cref="Resolve"/>), so the states cross the network only where the copy is behind.</summary>
/// <remarks>A rebalance moves shards onto workers that back them up, and a drain hands every shard to a backup: without
/// offers, a node received whole again the sessions it held already (a third of the bytes of a join in the state
/// transfer bench). A match is checked per session by fingerprint, never assumed from replication's bookkeeping, so a
/// copy that missed a write, was never whole, or is gone, costs one slice sent in full and nothing else.</remarks>
public static class ShardTransferOffers
{
    /// <summary>The offer that stands for a slice of <paramref name="sessions"/>: a <see cref="SliceMessage{TSlice}"/>.</summary>
    public static ShardTransferOffer Of(int shard, long epoch, int chunk, int chunkCount, ImmutableArray<SessionCrdt> sessions)
    {
        var offered = ImmutableArray.CreateBuilder<OfferedSession>(sessions.Length);
        foreach (var session in sessions)
        {
            offered.Add(new OfferedSession(session.Id, SessionDigest.Of(session), session.LastAccessed));
        }

        return new ShardTransferOffer(shard, epoch, chunk, chunkCount, offered.MoveToImmutable());
    }

    /// <summary>The slice <paramref name="offer"/> stands for, built from the new home's copy (<paramref name="copyOf"/>
    /// gives its state of a session, or null), with the old home's later access times; or null if some session is
    /// missing from the copy or differs there.</summary>
    public static ShardTransfer? Resolve(ShardTransferOffer offer, Func<UInt128, SessionCrdt?> copyOf)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(copyOf);
        var offered = offer.Sessions.IsDefault ? [] : offer.Sessions;
        var sessions = ImmutableArray.CreateBuilder<SessionCrdt>(offered.Length);
        foreach (var session in offered)
        {
            // An ended session is never handed over, so a copy that holds one as ended is not the offered state.
            if (copyOf(session.SessionId) is not { IsEnded: false } copy || SessionDigest.Of(copy) != session.Hash)
            {
                return null;
            }

            // The fingerprint leaves the last access out: reads replicate it only now and then, and the old home's is the newest.
            sessions.Add(copy.Accessed(session.LastAccessed));
        }

        return new ShardTransfer(offer.Shard, offer.Epoch, offer.Chunk, offer.ChunkCount, sessions.MoveToImmutable());
    }
}
