namespace SessionCluster.Actors.Replication;

/// <summary>One replica's hybrid logical clock (Kulkarni et al., 2014): timestamps close to wall time that never go
/// backwards and always follow every timestamp the replica has observed.</summary>
/// <remarks>
/// <para>Immutable: <see cref="Now"/> and <see cref="Observe"/> return the next clock with the reading. Physical time
/// comes in as an argument (UTC ticks from the caller's <see cref="TimeProvider"/>), so tests script it.</para>
/// <para>Rules. A local event takes wall = max(last wall, physical); the logical counter goes up by one if the wall part
/// did not move, else restarts at 0. Receiving a remote reading does the same over max(last, remote, physical), and the
/// counter continues from whichever readings share the winning wall part. So a clock that steps back only bumps the
/// counter, and a write made after merging a delta is stamped after every write in that delta: the causally later
/// write wins last-writer-wins, which is what lets a new home's writes win over the old home's.</para>
/// <para>Bounded drift. HLC keeps wall parts within the cluster's clock offset of physical time only while every clock
/// is within that offset. A remote reading more than <see cref="MaxDrift"/> ahead of our physical clock comes from a
/// broken clock (or a corrupt message); adopting it would drag this clock, and every clock that hears from this one,
/// into the future. <see cref="Observe"/> therefore ignores such a reading (the clock advances as for a local event)
/// and says so, and the caller logs it and may refuse the message, as CockroachDB-style systems do. Merging the
/// message's data anyway is still safe for convergence; the cost is that the far-future write keeps winning
/// last-writer-wins over later local writes until physical time passes it.</para>
/// <para>The logical counter is an <see cref="int"/>: it grows only while the wall part stands still (physical time
/// behind the clock), so 2^31 events in one 100 ns tick cannot happen in practice; if it ever would overflow, the wall
/// part moves on by one tick instead, which keeps the order and strays from physical time by 100 ns.</para>
/// </remarks>
public sealed class HybridLogicalClock
{
    public HybridLogicalClock(ReplicaId replica, TimeSpan maxDrift)
        : this(replica, maxDrift, HlcTimestamp.Zero)
    {
    }

    private HybridLogicalClock(ReplicaId replica, TimeSpan maxDrift, HlcTimestamp last)
    {
        ArgumentException.ThrowIfNullOrEmpty(replica.Value, nameof(replica));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDrift, TimeSpan.Zero);
        Replica = replica;
        MaxDrift = maxDrift;
        Last = last;
    }

    public ReplicaId Replica { get; }

    /// <summary>How far ahead of our physical clock a remote reading may be and still be adopted.</summary>
    public TimeSpan MaxDrift { get; }

    /// <summary>The latest reading this clock has made; <see cref="HlcTimestamp.Zero"/> before the first.</summary>
    public HlcTimestamp Last { get; }

    /// <summary>Stamps a local event (a write) at physical time <paramref name="physicalUtcTicks"/>.</summary>
    public (HybridLogicalClock Clock, HlcTimestamp Timestamp) Now(long physicalUtcTicks)
    {
        var stamp = Next(Last, Replica, physicalUtcTicks);
        return (new HybridLogicalClock(Replica, MaxDrift, stamp), stamp);
    }

    /// <summary>The reading <paramref name="replica"/>'s clock makes for a local event at <paramref name="physicalUtcTicks"/>
    /// when the latest timestamp it has made or observed is <paramref name="after"/> (of any replica): what
    /// <see cref="Now"/> stamps, for a single writer that keeps its last timestamp in its data rather than in a clock
    /// object. No drift check: <paramref name="after"/> is a timestamp the writer already holds.</summary>
    /// <returns>A timestamp after <paramref name="after"/>, with the wall part at least <paramref name="physicalUtcTicks"/>.</returns>
    public static HlcTimestamp Next(HlcTimestamp after, ReplicaId replica, long physicalUtcTicks)
    {
        ArgumentException.ThrowIfNullOrEmpty(replica.Value, nameof(replica));
        var wall = Math.Max(after.WallTicks, physicalUtcTicks);
        return Stamp(wall, wall == after.WallTicks ? after.Logical : -1, replica);
    }

    /// <summary>Takes in a reading carried by a message from another replica, received at <paramref name="physicalUtcTicks"/>.</summary>
    /// <returns>The next clock and the reading of the receive event, which follows both <see cref="Last"/> and
    /// <paramref name="remote"/>; <c>WithinDrift</c> is false when <paramref name="remote"/> was too far ahead to adopt
    /// (the reading then follows <see cref="Last"/> only).</returns>
    public (HybridLogicalClock Clock, HlcTimestamp Timestamp, bool WithinDrift) Observe(HlcTimestamp remote, long physicalUtcTicks)
    {
        // Saturating: physical + drift must not wrap for a clock near the end of time.
        var limit = physicalUtcTicks > long.MaxValue - MaxDrift.Ticks ? long.MaxValue : physicalUtcTicks + MaxDrift.Ticks;
        if (remote.WallTicks > limit)
        {
            var (clock, timestamp) = Now(physicalUtcTicks);
            return (clock, timestamp, false);
        }

        var wall = Math.Max(Math.Max(Last.WallTicks, remote.WallTicks), physicalUtcTicks);
        var logical = -1;
        if (wall == Last.WallTicks)
        {
            logical = Last.Logical;
        }

        if (wall == remote.WallTicks)
        {
            logical = Math.Max(logical, remote.Logical);
        }

        var stamp = Stamp(wall, logical, Replica);
        return (new HybridLogicalClock(Replica, MaxDrift, stamp), stamp, true);
    }

    /// <summary>The reading one after (<paramref name="wall"/>, <paramref name="logical"/>); -1 means "nothing at this wall yet".</summary>
    private static HlcTimestamp Stamp(long wall, int logical, ReplicaId replica) =>
        logical == int.MaxValue ? new HlcTimestamp(checked(wall + 1), 0, replica) : new HlcTimestamp(wall, logical + 1, replica);
}
