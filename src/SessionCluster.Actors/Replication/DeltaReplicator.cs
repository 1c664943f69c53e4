using System.Collections.Immutable;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Replication;

/// <summary>The home's side of one session's replication, as a pure state machine: it numbers the session's deltas,
/// sends each to the shard's backups, sends again what stays unacknowledged, and releases every reply once the write
/// consistency holds for all the writes before it.</summary>
/// <remarks>
/// <para><b>Design.</b> The session's entity is its single writer, so the entity owns one of these (only while
/// something is in flight) and calls it from its own thread. Deltas are CRDT deltas: a backup merges them in any
/// order, any number of times, so a re-send is always safe and several unacknowledged deltas travel as one join. A
/// message covers a range of sequence numbers; its acknowledgement says "I hold every delta of this range", which is
/// exactly what the join delivered, whatever arrived before or after it.</para>
/// <para><b>Replies.</b> A reply waits for its own write and for every earlier write of the session: a read after an
/// unreplicated write would otherwise show the client a value that a crash of the home could still take back. Replies
/// therefore leave in order; a reply that waits longer than its deadline fails (the host answers 503), and the writes
/// behind it keep being sent.</para>
/// <para><b>Backups change</b> (a backup dies and is replaced, a new epoch): acknowledgements count only from the
/// current backups, deltas go to whoever is current at each send, and a delta every current backup holds is
/// forgotten. A newly added backup also receives the whole shard by copy, so it is not sent what went before.</para>
/// <para>Sequence numbers come from the caller and must increase; they need not be contiguous (a shard-wide counter,
/// so that a late acknowledgement meant for an entity's earlier incarnation never matches a new delta).</para>
/// </remarks>
/// <typeparam name="TReply">What the host needs to answer a request (the reply and whom to send it to).</typeparam>
public sealed class DeltaReplicator<TReply>
{
    private readonly List<PendingDelta> _pending = [];
    private readonly Queue<HeldReply> _held = new();
    private ReplicaTargets _targets;

    /// <param name="targets">The shard's current backups and how many must acknowledge.</param>
    public DeltaReplicator(ReplicaTargets targets) => _targets = targets;

    /// <summary>The backups and consistency it replicates to now.</summary>
    public ReplicaTargets Targets => _targets;

    /// <summary>Nothing in flight and nothing held: the owner may drop this machine.</summary>
    public bool IsIdle => _pending.Count == 0 && _held.Count == 0;

    /// <summary>Deltas some current backup has not yet acknowledged.</summary>
    public int PendingDeltas => _pending.Count;

    /// <summary>Replies waiting for their writes' acknowledgements.</summary>
    public int HeldReplies => _held.Count;

    /// <summary>A new write: sends its <paramref name="delta"/> (sequence number <paramref name="seq"/>) to every backup.</summary>
    /// <param name="seq">Its sequence number, above every earlier one.</param>
    /// <param name="delta">What changed.</param>
    /// <param name="now">Protocol time.</param>
    /// <param name="output">Where the sends go.</param>
    /// <param name="durable">False for a change no reply needs to wait for (a read's access time): it is sent and
    /// re-sent like any other, but a reply does not wait for its acknowledgement.</param>
    public void Write(long seq, SessionCrdt delta, DateTimeOffset now, IReplicationOutput<TReply> output, bool durable = true)
    {
        ArgumentNullException.ThrowIfNull(delta);
        ArgumentNullException.ThrowIfNull(output);
        if (_pending.Count > 0 && seq <= _pending[^1].Seq)
        {
            throw new ArgumentOutOfRangeException(nameof(seq), seq, $"Sequence numbers must increase; the last was {_pending[^1].Seq}.");
        }

        if (_targets.Backups.IsEmpty)
        {
            return;
        }

        var pending = new PendingDelta(seq, delta) { LastSent = now, Durable = durable };
        _pending.Add(pending);
        foreach (var backup in _targets.Backups)
        {
            output.Send(backup, _targets.Epoch, seq, seq, delta);
        }
    }

    /// <summary>Answers <paramref name="reply"/> as soon as every write so far meets the write consistency (at once if
    /// they already do), or fails it at <paramref name="deadline"/>.</summary>
    public void Reply(TReply reply, DateTimeOffset deadline, IReplicationOutput<TReply> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var covers = _pending.Count == 0 ? long.MinValue : _pending[^1].Seq;
        if (_held.Count == 0 && IsSafeThrough(covers))
        {
            output.Release(reply);
            return;
        }

        _held.Enqueue(new HeldReply(reply, covers, deadline));
    }

    /// <summary><paramref name="backup"/> holds every delta numbered <paramref name="fromSeq"/> to <paramref name="toSeq"/>.</summary>
    public void Acknowledged(NodeAddress backup, long epoch, long fromSeq, long toSeq, IReplicationOutput<TReply> output)
    {
        ArgumentNullException.ThrowIfNull(backup);
        if (epoch != _targets.Epoch || !_targets.Backups.Contains(backup))
        {
            // An ack for another epoch counts nothing: the backup set it was sent under may not be the current one.
            return;
        }

        foreach (var pending in _pending)
        {
            if (pending.Seq >= fromSeq && pending.Seq <= toSeq)
            {
                pending.AckedBy = pending.AckedBy.Contains(backup) ? pending.AckedBy : pending.AckedBy.Add(backup);
            }
        }

        Settle(output);
    }

    /// <summary>The shard's backups or epoch changed: count acknowledgements anew and send what the new set lacks.</summary>
    public void Retarget(ReplicaTargets targets, DateTimeOffset now, IReplicationOutput<TReply> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var epochChanged = targets.Epoch != _targets.Epoch;
        _targets = targets;
        foreach (var pending in _pending)
        {
            // Acks under an older epoch were given to a backup set that may have changed; only the current set counts.
            pending.AckedBy = epochChanged ? [] : [.. pending.AckedBy.Where(targets.Backups.Contains)];
        }

        Resend(now, output);
        Settle(output);
    }

    /// <summary>Periodic work: send again what has waited <paramref name="resendInterval"/> without acknowledgement;
    /// fail replies past their deadline.</summary>
    public void Tick(DateTimeOffset now, TimeSpan resendInterval, IReplicationOutput<TReply> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_pending.Count > 0 && now - _pending[0].LastSent >= resendInterval)
        {
            Resend(now, output);
        }

        while (_held.TryPeek(out var held) && now >= held.Deadline)
        {
            _held.Dequeue();
            output.Fail(held.Reply);
        }

        Settle(output);
    }

    /// <summary>Sends each current backup one join of every pending delta it has not acknowledged.</summary>
    private void Resend(DateTimeOffset now, IReplicationOutput<TReply> output)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        foreach (var backup in _targets.Backups)
        {
            SessionCrdt? join = null;
            long from = long.MaxValue, to = long.MinValue;
            foreach (var pending in _pending)
            {
                if (pending.AckedBy.Contains(backup))
                {
                    continue;
                }

                join = join is null ? pending.Delta : SessionCrdt.Merge(join, pending.Delta);
                from = Math.Min(from, pending.Seq);
                to = Math.Max(to, pending.Seq);
            }

            if (join is not null)
            {
                // A join spans acknowledged deltas too when they sit between unacknowledged ones; re-merging them is harmless.
                output.Send(backup, _targets.Epoch, from, to, join);
            }
        }

        foreach (var pending in _pending)
        {
            pending.LastSent = now;
        }
    }

    /// <summary>Forgets deltas every current backup holds and releases the replies whose writes are safe.</summary>
    private void Settle(IReplicationOutput<TReply> output)
    {
        while (_held.TryPeek(out var held) && IsSafeThrough(held.Covers))
        {
            _held.Dequeue();
            output.Release(held.Reply);
        }

        // Plain loops here and below: this runs on every write and acknowledgement, and LINQ over an ImmutableArray
        // with a method-group predicate allocates a box and a delegate per call.
        var kept = 0;
        for (var i = 0; i < _pending.Count; i++)
        {
            if (!IsHeldByEveryBackup(_pending[i]))
            {
                _pending[kept++] = _pending[i];
            }
        }

        _pending.RemoveRange(kept, _pending.Count - kept);
    }

    private bool IsHeldByEveryBackup(PendingDelta pending)
    {
        foreach (var backup in _targets.Backups)
        {
            if (!pending.AckedBy.Contains(backup))
            {
                return false;
            }
        }

        return true;
    }

    private int CurrentAcks(PendingDelta pending)
    {
        var acks = 0;
        foreach (var backup in pending.AckedBy)
        {
            if (_targets.Backups.Contains(backup))
            {
                acks++;
            }
        }

        return acks;
    }

    /// <summary>True if every pending delta numbered up to <paramref name="seq"/> has enough acknowledgements.</summary>
    private bool IsSafeThrough(long seq)
    {
        foreach (var pending in _pending)
        {
            if (pending.Seq > seq)
            {
                break;
            }

            if (pending.Durable && CurrentAcks(pending) < _targets.RequiredAcks)
            {
                return false;
            }
        }

        return true;
    }

    private sealed class PendingDelta(long seq, SessionCrdt delta)
    {
        public long Seq { get; } = seq;

        public SessionCrdt Delta { get; } = delta;

        public ImmutableArray<NodeAddress> AckedBy { get; set; } = [];

        public DateTimeOffset LastSent { get; set; }

        public bool Durable { get; init; } = true;
    }

    private readonly record struct HeldReply(TReply Reply, long Covers, DateTimeOffset Deadline);
}
