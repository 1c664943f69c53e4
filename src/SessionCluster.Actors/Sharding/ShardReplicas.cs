using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SessionCluster.Actors.Diagnostics;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Actors.Sharding;

/// <summary>This node's side of replication, shared by its region actor, its session entities and the transport's
/// reader: the backups of each shard it serves (for the entities' deltas) and the whole copies it sends to new ones,
/// and the copies it keeps of shards it backs up.</summary>
/// <remarks>
/// <para>Targets are written only by the region actor (on <see cref="ReplicateShard"/>) and read by entities on any
/// thread: each is an immutable value behind a volatile reference. The whole copies under way to new backups
/// (<see cref="ShardCopy{TSlice}"/>) are the region actor's alone.</para>
/// <para>A backup copy (<see cref="ShardReplica"/>) is changed by the transport's reader (deltas and copy slices,
/// merged right where they arrive, then acknowledged) and by the region actor (keep, drop, take over on promotion).
/// Each copy has its own lock, held only for the merge: never around I/O, and never two at once.</para>
/// </remarks>
public sealed partial class ShardReplicas : IReplicaChannel
{
    // Boxed, so that a reader on another thread sees a whole value: a struct this size cannot be written atomically.
    private readonly StrongBox<ReplicaTargets>?[] _targets;
    private readonly long[] _seq;
    private readonly ShardReplica?[] _copies;
    private readonly ShardCopyQueue _outgoing;
    private readonly ITransport _transport;
    private readonly TimeProvider _clock;
    private readonly SessionSettings? _limits;

    /// <param name="numberOfShards">Shards in the cluster.</param>
    /// <param name="settings">Replication settings.</param>
    /// <param name="transport">Where deltas, copies and acknowledgements go.</param>
    /// <param name="clock">Time for ended sessions' retention.</param>
    /// <param name="limits">Session limits every replicated state must keep (<see cref="SessionCommands.LimitViolation"/>);
    /// none checked if null.</param>
    public ShardReplicas(int numberOfShards, ReplicationSettings settings, ITransport transport, TimeProvider clock, SessionSettings? limits = null)
    {
        _limits = limits;
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(clock);
        _targets = new StrongBox<ReplicaTargets>?[numberOfShards];
        _seq = new long[numberOfShards];
        _copies = new ShardReplica?[numberOfShards];
        Settings = settings;
        // Twice the longest back-off: the backup left at least two re-sends of a slice unanswered.
        _outgoing = new ShardCopyQueue(settings.MaxConcurrentCopies, settings.CopyResendMaxInterval * 2);
        _transport = transport;
        _clock = clock;
    }

    public ReplicationSettings Settings { get; }

    /// <summary>Where sessions left out of copies for breaking the limits are reported; nowhere unless set.</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    public int ShardOf(UInt128 sessionId) => ShardId.Of(new Sessions.SessionId(sessionId), _targets.Length);

    public ReplicaTargets TargetsOf(int shard) => Volatile.Read(ref _targets[shard]) is { } box ? box.Value : new ReplicaTargets(0, [], 0);

    public long NextSeq(int shard) => Interlocked.Increment(ref _seq[shard]);

    public void Send(NodeAddress to, object message) => _transport.Send(to, message);

    public object NotReplicated(int shard) =>
        new ShardUnavailable(shard, "the write did not reach its backups in time; it is applied but may not survive a crash", MayHaveApplied: true);

    /// <summary>Region actor: the shard served here replicates to <paramref name="backups"/> under <paramref name="epoch"/>.</summary>
    internal void Target(int shard, long epoch, ImmutableArray<NodeAddress> backups) =>
        Volatile.Write(ref _targets[shard], new StrongBox<ReplicaTargets>(new ReplicaTargets(epoch, backups, Settings.RequiredAcks(backups.Length))));

    /// <summary>Region actor: the shard is no longer served here; copies of it under way stop.</summary>
    internal void Untarget(int shard)
    {
        Volatile.Write(ref _targets[shard], null);
        ForgetCopies(shard, keep: []);
    }

    /// <summary>Whole copies to new backups not yet acknowledged, sending or waiting their turn (region actor).</summary>
    internal int CopiesInFlight => _outgoing.Count;

    /// <summary>Whole copies to new backups sending now; at most <see cref="ReplicationSettings.MaxConcurrentCopies"/>.</summary>
    internal int CopiesSending => _outgoing.Sending;

    /// <summary>Region actor: the shard served here replicates to <see cref="ReplicateShard.Backups"/> from now on. A
    /// backup that is new, or whose copy was still under way under an older epoch (now refused), gets a whole copy of the
    /// sessions <paramref name="readSessions"/> returns; it is called after the targets are published, so every write
    /// the copy misses reaches the backup as a delta. Null: the shard is not hosted here, nothing to copy.</summary>
    internal void Replicate(ReplicateShard replicate, Func<IReadOnlyList<SessionCrdt>>? readSessions, int chunkBytes, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(replicate);
        var before = TargetsOf(replicate.Shard).Backups;
        Target(replicate.Shard, replicate.Epoch, replicate.Backups);
        ForgetCopies(replicate.Shard, keep: replicate.Backups);
        if (readSessions is null)
        {
            return;
        }

        IReadOnlyList<SessionCrdt>? sessions = null;
        foreach (var backup in replicate.Backups)
        {
            // Restarted only under a new epoch (the backup now refuses the old one's slices). The same allocation
            // again (the coordinator repeats it) leaves a copy alone: a second copy under the same epoch would have the
            // backup count slices of both towards one whole copy and never see it complete.
            if (!before.Contains(backup) || (_outgoing.Find(replicate.Shard, backup) is { } underWay && underWay.Epoch != replicate.Epoch))
            {
                sessions ??= readSessions();
                _outgoing.Enqueue(new ShardCopy<ReplicaCopy>(
                    replicate.Shard,
                    replicate.Epoch,
                    backup,
                    sessions,
                    static (shard, epoch, chunk, chunkCount, slice) => new ReplicaCopy(shard, epoch, chunk, chunkCount, slice),
                    chunkBytes,
                    Settings.CopyWindow,
                    Settings.ResendInterval,
                    Settings.CopyResendMaxInterval));
            }
        }

        SendCopies(now);
    }

    /// <summary>Region actor: sends the slices of whole copies that are due, for at most
    /// <see cref="ReplicationSettings.MaxConcurrentCopies"/> copies at once, the others waiting their turn (see
    /// <see cref="ShardCopyQueue"/>), and forgets the copies that are complete.</summary>
    internal void SendCopies(DateTimeOffset now)
    {
        if (_outgoing.Count == 0)
        {
            return;
        }

        foreach (var (to, slice) in _outgoing.Due(now))
        {
            _transport.Send(to, slice);
        }
    }

    /// <summary>Region actor: <paramref name="from"/> merged a slice of the copy it is being sent; the window has room
    /// again (or the copy is complete and the next one's turn has come), so what is due goes at once.</summary>
    internal void CopyAcknowledged(NodeAddress from, ReplicaCopyAck ack, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(ack);
        _outgoing.Acknowledged(from, ack, now);
        SendCopies(now);
    }

    private void ForgetCopies(int shard, ImmutableArray<NodeAddress> keep) => _outgoing.Forget(shard, to => !keep.Contains(to));

    /// <summary>Region actor: keep (or start) a backup copy of the shard, following its home under the epoch. True if the
    /// copy already existed and followed another home until now (a backup promoted over its dead home, or a move).</summary>
    internal bool Keep(int shard, NodeAddress home, long epoch)
    {
        if (Volatile.Read(ref _copies[shard]) is { } copy)
        {
            lock (copy)
            {
                var moved = !copy.Home.Equals(home) && epoch >= copy.Epoch;
                copy.Follow(home, epoch);
                return moved;
            }
        }

        Interlocked.CompareExchange(ref _copies[shard], new ShardReplica(shard, home, epoch, _limits), null);
        return false;
    }

    /// <summary>Region actor: keep the sessions of a shard this node handed over as its whole backup copy, following the
    /// new home under the epoch (see <see cref="KeepShardAsBackup"/>).</summary>
    internal void KeepWhole(int shard, NodeAddress home, long epoch, IReadOnlyList<SessionCrdt> sessions)
    {
        Keep(shard, home, epoch);
        if (Volatile.Read(ref _copies[shard]) is { } copy)
        {
            lock (copy)
            {
                copy.ApplyCopy(epoch, chunk: 0, chunkCount: 1, sessions, _clock.GetUtcNow());
            }
        }
    }

    /// <summary>True if this node keeps a backup copy of the shard (whole or still arriving).</summary>
    internal bool Holds(int shard) => Volatile.Read(ref _copies[shard]) is not null;

    /// <summary>Region actor: forget the shard's copy (no longer a backup), or take it over (promoted to home).</summary>
    internal ImmutableArray<SessionCrdt> Take(int shard)
    {
        if (Interlocked.Exchange(ref _copies[shard], null) is not { } copy)
        {
            return [];
        }

        lock (copy)
        {
            return [.. copy.Sessions.Where(session => !session.IsEnded)];
        }
    }

    /// <summary>Region actor: periodic upkeep of the copies (forget long-ended sessions).</summary>
    internal void Sweep(DateTimeOffset now)
    {
        foreach (var copy in _copies)
        {
            if (copy is not null)
            {
                lock (copy)
                {
                    copy.ForgetEnded(now);
                }
            }
        }
    }

    /// <summary>Transport reader: a delta for a copy kept here; merged and acknowledged, or dropped as stale.</summary>
    internal void OnDelta(UniqueAddress from, ReplicaDelta delta)
    {
        if ((uint)delta.Shard >= (uint)_copies.Length || Volatile.Read(ref _copies[delta.Shard]) is not { } copy)
        {
            // Not a backup of it (yet, or any more): no ack, so the home keeps trying until its targets change.
            return;
        }

        bool accepted;
        lock (copy)
        {
            accepted = copy.ApplyDelta(delta.Epoch, delta.Delta, _clock.GetUtcNow());
        }

        if (accepted)
        {
            _transport.Send(from.Address, new ReplicaDeltaAck(delta.Shard, delta.Epoch, delta.Delta.Id, delta.FromSeq, delta.ToSeq));
        }
    }

    /// <summary>Transport reader: a slice of a whole copy. True when it completed the copy.</summary>
    internal bool OnCopy(UniqueAddress from, ReplicaCopy slice)
    {
        if ((uint)slice.Shard >= (uint)_copies.Length || Volatile.Read(ref _copies[slice.Shard]) is not { } copy)
        {
            return false;
        }

        (bool Accepted, bool Completed) outcome;
        int leftOut;
        lock (copy)
        {
            var rejectedBefore = copy.RejectedOverLimit;
            outcome = copy.ApplyCopy(slice.Epoch, slice.Chunk, slice.ChunkCount, slice.Sessions, _clock.GetUtcNow());
            leftOut = copy.RejectedOverLimit - rejectedBefore;
        }

        if (leftOut > 0)
        {
            SessionClusterMetrics.SessionsRejectedOverLimit.Add(leftOut, SessionClusterMetrics.RejectedFromCopy);
            LogCopyOverLimit(Logger, leftOut, slice.Sessions.Length, from, slice.Shard);
        }

        if (outcome.Accepted)
        {
            _transport.Send(from.Address, new ReplicaCopyAck(slice.Shard, slice.Epoch, slice.Chunk));
        }

        return outcome.Completed;
    }

    /// <summary>Region actor, every anti-entropy interval: each copy's fingerprints, to send to its home.</summary>
    internal IReadOnlyList<(NodeAddress Home, ReplicaDigest Digest)> Digests()
    {
        var digests = new List<(NodeAddress, ReplicaDigest)>();
        for (var shard = 0; shard < _copies.Length; shard++)
        {
            if (DigestOf(shard) is { } digest)
            {
                digests.Add(digest);
            }
        }

        return digests;
    }

    /// <summary>The fingerprints of the shard's copy and the home to send them to; null if this node keeps no copy.</summary>
    internal (NodeAddress Home, ReplicaDigest Digest)? DigestOf(int shard)
    {
        if (Volatile.Read(ref _copies[shard]) is not { } copy)
        {
            return null;
        }

        SessionCrdt[] sessions;
        NodeAddress home;
        long epoch;
        lock (copy)
        {
            sessions = [.. copy.Sessions];
            home = copy.Home;
            epoch = copy.Epoch;
        }

        // Hashed outside the lock: the states are immutable.
        return (home, new ReplicaDigest(shard, epoch, [.. sessions.Select(state => new SessionFingerprint(state.Id, SessionDigest.Of(state)))]));
    }

    /// <summary>Transport reader: the home asks for this copy's state of some sessions; each one held goes back as a
    /// <see cref="ReplicaPush"/>. Only the current home, under the current epoch, is answered.</summary>
    internal void Pull(UniqueAddress from, ReplicaPull pull)
    {
        ArgumentNullException.ThrowIfNull(pull);
        if ((uint)pull.Shard >= (uint)_copies.Length || Volatile.Read(ref _copies[pull.Shard]) is not { } copy)
        {
            return;
        }

        var held = new List<SessionCrdt>(pull.SessionIds.Length);
        lock (copy)
        {
            if (copy.Epoch != pull.Epoch || !copy.Home.Equals(from.Address))
            {
                return;
            }

            foreach (var id in pull.SessionIds)
            {
                if (copy.Get(id) is { } state)
                {
                    held.Add(state);
                }
            }
        }

        foreach (var state in held)
        {
            _transport.Send(from.Address, new ReplicaPush(pull.Shard, pull.Epoch, state));
        }
    }

    /// <summary>Transport reader: answers a read from this node's whole copy of the shard, answering as
    /// <paramref name="owner"/>; null if it has no whole copy. Access times on a copy lag by up to a touch interval, so
    /// expiry here allows for that: the home (or the promoted backup) is the one that ends sessions.</summary>
    internal object? Read(BackupRead read, string owner)
    {
        if ((uint)read.Shard >= (uint)_copies.Length || Volatile.Read(ref _copies[read.Shard]) is not { } copy)
        {
            return null;
        }

        SessionCrdt? state;
        lock (copy)
        {
            if (!copy.IsWhole)
            {
                return null;
            }

            state = copy.Get(read.Command.SessionId.Value);
        }

        if (state is null || state.IsEnded || state.IsExpired(_clock.GetUtcNow() - Settings.TouchInterval))
        {
            return new SessionNotFound(read.Command.SessionId);
        }

        return read.Command switch
        {
            GetAttribute get => new AttributeValue(get.Name, state.Get(get.Name)),
            _ => SessionCommands.Snapshot(state, owner),
        };
    }

    /// <summary>The hand-off slice an offer stands for, taken from this node's backup copy of the shard, or null if the
    /// copy lacks or differs in some offered session (or the shard is out of range): see <see cref="ShardTransferOffers"/>.</summary>
    internal ShardTransfer? Resolve(ShardTransferOffer offer) =>
        (uint)offer.Shard < (uint)_copies.Length ? ShardTransferOffers.Resolve(offer, id => Find(offer.Shard, id)) : null;

    /// <summary>The state this node's backup copy holds of a session, or null.</summary>
    internal SessionCrdt? Find(int shard, UInt128 sessionId)
    {
        if (Volatile.Read(ref _copies[shard]) is not { } copy)
        {
            return null;
        }

        lock (copy)
        {
            return copy.Get(sessionId);
        }
    }

    /// <summary>Sessions held in backup copies, per shard (for operators).</summary>
    public IReadOnlyList<(int Shard, int Sessions, bool Whole)> BackupCounts()
    {
        var counts = new List<(int, int, bool)>();
        for (var shard = 0; shard < _copies.Length; shard++)
        {
            if (Volatile.Read(ref _copies[shard]) is { } copy)
            {
                lock (copy)
                {
                    counts.Add((shard, copy.Count, copy.IsWhole));
                }
            }
        }

        return counts;
    }

    // No session id in the line: an id is a credential.
    [LoggerMessage(EventId = 421, Level = LogLevel.Warning, Message = "Left out {Rejected} of {Total} sessions in a backup copy slice from {Peer} for shard {Shard}: over this node's session limits; every node should have the same session-cluster.sessions limits")]
    private static partial void LogCopyOverLimit(ILogger logger, int rejected, int total, UniqueAddress peer, int shard);
}
