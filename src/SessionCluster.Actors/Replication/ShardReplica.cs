using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Actors.Replication;

/// <summary>A backup's copy of one shard: the sessions its home has sent, merged as CRDTs, fenced by epoch.</summary>
/// <remarks>
/// <para>Everything arriving here is a join: deltas, re-sent joins of deltas, slices of the home's whole copy, in any
/// order and any number of times, so the copy only ever grows towards the home's state and never needs a sequence.
/// What it must refuse is a writer that is no longer the home: anything under an epoch older than the newest this
/// copy has seen (from the coordinator's allocation or from the home itself) is dropped unacknowledged, so a deposed
/// home cannot have a write acknowledged here.</para>
/// <para>The copy never expires a session on its own: access times reach it only with writes, so its idea of
/// idleness is stale. Expiry and invalidation come from the home as end tombstones; an ended session is kept for
/// <see cref="EndedRetention"/> so that a late re-send of an older delta cannot bring half of it back, then
/// forgotten.</para>
/// <para>Not thread-safe: its owner serialises access (a lock held only for the merge, never around I/O).</para>
/// </remarks>
public sealed class ShardReplica
{
    /// <summary>How long an ended session stays as a tombstone; far longer than any delta is ever re-sent.</summary>
    public static readonly TimeSpan EndedRetention = TimeSpan.FromMinutes(5);

    private readonly Dictionary<UInt128, SessionCrdt> _sessions = [];
    private readonly SessionSettings? _limits;
    private readonly Dictionary<UInt128, DateTimeOffset> _endedAt = [];
    private bool[]? _copyChunks;
    private long _copyEpoch = -1;
    private int _copyReceived;

    /// <param name="shard">The shard copied.</param>
    /// <param name="home">The home whose deltas it takes.</param>
    /// <param name="epoch">The allocation's epoch; older messages are refused.</param>
    /// <param name="limits">The session limits replicated states must keep (see
    /// <see cref="SessionCommands.LimitViolation"/>); none checked if null.</param>
    public ShardReplica(int shard, NodeAddress home, long epoch, SessionSettings? limits = null)
    {
        ArgumentNullException.ThrowIfNull(home);
        Shard = shard;
        Home = home;
        Epoch = epoch;
        _limits = limits;
    }

    /// <summary>Deltas refused (unacknowledged) and sessions of copy slices left out (the slice is still taken), because
    /// the session, or what merging it would make, is over the session limits.</summary>
    public int RejectedOverLimit { get; private set; }

    public int Shard { get; }

    /// <summary>The home whose deltas this copy takes.</summary>
    public NodeAddress Home { get; private set; }

    /// <summary>The newest epoch seen; anything older is refused.</summary>
    public long Epoch { get; private set; }

    /// <summary>True once a whole copy of the home's shard has arrived (slices of one epoch, all of them).</summary>
    public bool IsWhole { get; private set; }

    /// <summary>States refused because they claimed an id held here for another session.</summary>
    public int RejectedMerges { get; private set; }

    /// <summary>Sessions held, ended ones included.</summary>
    public int Count => _sessions.Count;

    /// <summary>The held state of a session, or null.</summary>
    public SessionCrdt? Get(UInt128 id) => _sessions.GetValueOrDefault(id);

    /// <summary>Every held session (ended ones included), for a promotion or a digest.</summary>
    public IEnumerable<SessionCrdt> Sessions => _sessions.Values;

    /// <summary>The coordinator's allocation names this node a backup of the shard, with <paramref name="home"/> as
    /// home under <paramref name="epoch"/>; false (and nothing changes) if the copy has seen a newer epoch.</summary>
    public bool Follow(NodeAddress home, long epoch)
    {
        ArgumentNullException.ThrowIfNull(home);
        if (epoch < Epoch)
        {
            return false;
        }

        Home = home;
        Epoch = epoch;
        return true;
    }

    /// <summary>Merges a delta (or a join of several) sent under <paramref name="epoch"/>; false if refused as stale.</summary>
    public bool ApplyDelta(long epoch, SessionCrdt delta, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(delta);
        if (MergedWithinLimits(delta, out var sameSession) is not { } merged || !Admit(epoch))
        {
            return false;
        }

        Keep(delta, merged, sameSession, now);
        return true;
    }

    /// <summary>Merges slice <paramref name="chunk"/> of <paramref name="chunkCount"/> of the home's whole copy.</summary>
    /// <returns>Accepted: false if refused as stale. Completed: true exactly once, when the last missing slice of a
    /// copy arrives.</returns>
    public (bool Accepted, bool Completed) ApplyCopy(long epoch, int chunk, int chunkCount, IEnumerable<SessionCrdt> sessions, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkCount);
        ArgumentOutOfRangeException.ThrowIfNegative(chunk);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(chunk, chunkCount);
        var slice = sessions as IReadOnlyCollection<SessionCrdt> ?? [.. sessions];
        if (!Admit(epoch))
        {
            return (false, false);
        }

        if (_copyChunks is null || _copyEpoch != epoch || _copyChunks.Length != chunkCount)
        {
            // A new copy (the home re-started it, or under a new epoch): count its slices from scratch. Slices of an
            // earlier copy stay merged; they are still true, just not proof of a whole copy.
            _copyChunks = new bool[chunkCount];
            _copyEpoch = epoch;
            _copyReceived = 0;
        }

        foreach (var session in slice)
        {
            // A session over the limits is left out alone (counted): refusing the slice would lose the valid sessions
            // in it and have the home re-send it for ever.
            if (MergedWithinLimits(session, out var sameSession) is { } merged)
            {
                Keep(session, merged, sameSession, now);
            }
        }

        if (_copyChunks[chunk])
        {
            return (true, false);
        }

        _copyChunks[chunk] = true;
        _copyReceived++;
        if (_copyReceived < chunkCount || IsWhole)
        {
            return (true, false);
        }

        IsWhole = true;
        _copyChunks = null;
        return (true, true);
    }

    /// <summary>Forgets sessions that ended more than <see cref="EndedRetention"/> ago; returns how many.</summary>
    public int ForgetEnded(DateTimeOffset now)
    {
        var forgotten = 0;
        foreach (var (id, endedAt) in _endedAt.ToList())
        {
            if (now - endedAt >= EndedRetention)
            {
                _endedAt.Remove(id);
                _sessions.Remove(id);
                forgotten++;
            }
        }

        return forgotten;
    }

    /// <summary><paramref name="incoming"/> merged with what is held of its session; null (and counted) if either breaks
    /// the limits: a delta is then refused whole, so that nothing of it is merged and the sender sees no acknowledgement.
    /// <paramref name="sameSession"/> is false when the id is held by another session (ids are never reused: a corrupt or
    /// forged message), which cannot be merged at all; the held state is returned unchanged.</summary>
    private SessionCrdt? MergedWithinLimits(SessionCrdt incoming, out bool sameSession)
    {
        var held = _sessions.GetValueOrDefault(incoming.Id);
        sameSession = held is null || (held.Created == incoming.Created && held.MaxInactiveInterval == incoming.MaxInactiveInterval);
        var merged = held is null ? incoming : sameSession ? SessionCrdt.Merge(held, incoming) : held;
        if (_limits is not null &&
            (SessionCommands.LimitViolation(incoming, _limits) is not null || SessionCommands.LimitViolation(merged, _limits) is not null))
        {
            RejectedOverLimit++;
            return null;
        }

        return merged;
    }

    private bool Admit(long epoch)
    {
        if (epoch < Epoch)
        {
            return false;
        }

        Epoch = epoch;
        return true;
    }

    /// <summary>Holds <paramref name="merged"/> (<paramref name="incoming"/> merged with what was held) as the session's state.</summary>
    private void Keep(SessionCrdt incoming, SessionCrdt merged, bool sameSession, DateTimeOffset now)
    {
        if (!sameSession)
        {
            // Another session under a held id: keep what is held.
            RejectedMerges++;
            return;
        }

        _sessions[incoming.Id] = merged;
        if (merged.IsEnded)
        {
            _endedAt.TryAdd(incoming.Id, now);
        }
    }
}
