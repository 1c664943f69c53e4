using System.Diagnostics;
using SessionCluster.Actors.Diagnostics;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Runtime;

namespace SessionCluster.Actors.Sessions;

/// <summary>The one actor that owns a session: it applies commands one at a time and expires the session when idle.</summary>
/// <remarks>
/// A thin shell around <see cref="SessionCommands"/>: each command maps the slot's state to the next one, which replaces
/// it in the slot. Every command checks expiry first, so an idle session is never served a moment past its max inactive
/// interval. Reclaiming the memory of sessions nobody asks for again is the region's sweep (see <see cref="SessionSlot"/>),
/// which sends <see cref="CheckSessionExpiry"/> to the entities it suspects. Once expired or invalidated (an end
/// tombstone in the state) the entity answers <see cref="SessionNotFound"/> to anything still queued and asks its region
/// to stop it, so a request that races with expiry gets a clear answer instead of a dead letter.
/// <para>Replication: each change's delta goes to the shard's backups through a <see cref="DeltaReplicator{TReply}"/>,
/// created only while something is in flight, and every reply waits until the write consistency holds for the writes
/// before it. Told to stop meanwhile, the entity first lets its replies go (acknowledged or timed out).</para>
/// </remarks>
public sealed class SessionEntity : Actor, IReplicationOutput<SessionEntity.Waiting>
{
    private const string ResendKey = "resend";
    private readonly SessionSlot _slot;
    private DeltaReplicator<Waiting>? _replicator;
    private ActorRef? _stopRequestedBy;
    private DateTimeOffset _shippedAccess = DateTimeOffset.MinValue;
    private bool _answering;

    // Every increment record up to Through is held by every backup of replica epoch Epoch: each of them acknowledged
    // every delta written while the state held those records. An increment's delta carries the session's remembered
    // records (see SessionCrdt.Increment), but only those newer than this need to travel: a session counting fast
    // would otherwise ship and merge its 64 records with every increment.
    private (HlcTimestamp Through, long Epoch)? _recordsOnBackups;

    public SessionEntity(SessionSlot slot) => _slot = slot;

    protected internal override void Receive(object message)
    {
        switch (message)
        {
            case SessionCommand command:
                var now = Context.System.TimeProvider.GetUtcNow();
                var update = SessionCommands.Apply(_slot.State, command, _slot.Host, now);
                Commit(update, now);
                Answer(update.Reply, Sender, now);
                break;
            case BackupAcknowledged acknowledged:
                if (_replicator is { } acknowledging)
                {
                    acknowledging.Acknowledged(acknowledged.Backup, acknowledged.Epoch, acknowledged.FromSeq, acknowledged.ToSeq, this);
                    if (acknowledging.PendingDeltas == 0)
                    {
                        _recordsOnBackups = (_slot.State.RecentIncrements.Newest, acknowledging.Targets.Epoch);
                    }
                }

                StopIfDone();
                break;
            case ReplicationTick:
                if (_replicator is { } replicator && _slot.Host.Replicas is { } channel)
                {
                    var tickNow = Context.System.TimeProvider.GetUtcNow();
                    Retarget(replicator, channel, tickNow);
                    replicator.Tick(tickNow, channel.Settings.ResendInterval, this);
                }

                StopIfDone();
                break;
            case CheckSessionExpiry:
                var checkedAt = Context.System.TimeProvider.GetUtcNow();
                if (SessionCommands.Expire(_slot.State, _slot.Host, checkedAt) is { } expired)
                {
                    Commit(expired, checkedAt);
                }

                break;
            case MergeReplicaState merge:
                var mergedAt = Context.System.TimeProvider.GetUtcNow();
                var merged = SessionCrdt.Merge(_slot.State, merge.State);
                if (merge.Adopted || Sharding.SessionDigest.Of(merged) != Sharding.SessionDigest.Of(_slot.State))
                {
                    // What the merge added is replicated like a write of this entity's own, so every backup has it too.
                    Commit(new SessionUpdate(merged, merged, new SessionNotFound(_slot.Id)), mergedAt);
                }
                else
                {
                    if (merged.RecentIncrements != _slot.State.RecentIncrements)
                    {
                        // Records from another replica that no delta carries: the next increment ships them all again.
                        _recordsOnBackups = null;
                    }

                    _slot.State = merged;
                }

                break;
            case StopEntity:
                // Everything queued before this has been applied: the state in the slot is final until a new entity
                // starts. Replies still waiting for backups go first (each has a deadline), so none is lost.
                _stopRequestedBy = Sender;
                StopIfDone();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>IReplicationOutput: a delta (or a join of several) to one backup.</summary>
    void IReplicationOutput<Waiting>.Send(NodeAddress backup, long epoch, long fromSeq, long toSeq, SessionCrdt delta) =>
        _slot.Host.Replicas?.Send(backup, new ReplicaDelta(_slot.Host.Replicas.ShardOf(delta.Id), epoch, fromSeq, toSeq, delta));

    /// <summary>IReplicationOutput: the writes before this reply are safe.</summary>
    void IReplicationOutput<Waiting>.Release(Waiting reply)
    {
        if (!_answering && reply.HeldSince != 0)
        {
            // Released later than asked: it waited for backups, and that wait is the replication lag a client sees.
            SessionClusterMetrics.ReplicationAckDuration.Record(Stopwatch.GetElapsedTime(reply.HeldSince).TotalSeconds);
        }

        reply.To.Tell(reply.Reply);
    }

    /// <summary>IReplicationOutput: they did not become safe in time.</summary>
    void IReplicationOutput<Waiting>.Fail(Waiting reply) =>
        reply.To.Tell(_slot.Host.Replicas!.NotReplicated(_slot.Host.Replicas.ShardOf(_slot.State.Id)));

    private void Answer(object reply, ActorRef to, DateTimeOffset now)
    {
        if (_replicator is null || _slot.Host.Replicas is not { } channel)
        {
            to.Tell(reply);
            return;
        }

        // Stamped with the time it was asked. A reply whose writes are already safe is released within this call
        // (_answering), waited for nothing, and is not measured.
        _answering = true;
        try
        {
            _replicator.Reply(new Waiting(to, reply, Stopwatch.GetTimestamp()), now + channel.Settings.WriteTimeout, this);
        }
        finally
        {
            _answering = false;
        }

        StopIfDone();
    }

    private void Commit(SessionUpdate update, DateTimeOffset now)
    {
        _slot.State = update.State;
        if (_shippedAccess == DateTimeOffset.MinValue)
        {
            // What the backups are taken to know when this incarnation starts: a copy of the state it starts from.
            _shippedAccess = update.State.LastAccessed;
        }

        if (update.Delta is null && _slot.Host.Replicas is { } touchChannel && !update.State.IsEnded &&
            update.State.LastAccessed - _shippedAccess >= touchChannel.Settings.TouchInterval)
        {
            // A session only read: ship its last access now and then, or a promoted backup would expire it early.
            var shard = touchChannel.ShardOf(update.State.Id);
            var replicator = _replicator ??= StartReplicator(touchChannel.TargetsOf(shard), touchChannel);
            Retarget(replicator, touchChannel, now);
            replicator.Write(touchChannel.NextSeq(shard), update.State.Touch(update.State.LastAccessed).Delta, now, this, durable: false);
            _shippedAccess = update.State.LastAccessed;
            if (replicator.IsIdle)
            {
                DropReplicator();
            }
        }

        if (update.Delta is { } delta && _slot.Host.Replicas is { } channel)
        {
            _shippedAccess = update.State.LastAccessed;
            // The slot's state is written before the backups are read, so a copy to a backup added after this read
            // already holds the change; one added before it is sent the delta.
            var shard = channel.ShardOf(delta.Id);
            var replicator = _replicator ??= StartReplicator(channel.TargetsOf(shard), channel);
            Retarget(replicator, channel, now);
            var shipped = _recordsOnBackups is { } held && held.Epoch == replicator.Targets.Epoch && !delta.RecentIncrements.IsEmpty
                ? delta.WithRecordsNewerThan(held.Through)
                : delta;
            replicator.Write(channel.NextSeq(shard), shipped, now, this);
            if (replicator.IsIdle)
            {
                DropReplicator();
            }
        }

        if (update.State.IsEnded)
        {
            // Said again for each command still queued behind the end: the region drops a session once and ignores
            // repeats, and an entity started on a state that had already ended says it this way too.
            Context.Parent.Tell(new SessionEnded(_slot.Id), Self);
        }
    }

    private DeltaReplicator<Waiting> StartReplicator(ReplicaTargets targets, IReplicaChannel channel)
    {
        Context.Timers.StartPeriodicTimer(ResendKey, ReplicationTick.Instance, channel.Settings.ResendInterval);
        return new DeltaReplicator<Waiting>(targets);
    }

    private void DropReplicator()
    {
        _replicator = null;
        Context.Timers.Cancel(ResendKey);
    }

    /// <summary>Follows the shard's backups as the coordinator changes them.</summary>
    private void Retarget(DeltaReplicator<Waiting> replicator, IReplicaChannel channel, DateTimeOffset now)
    {
        var current = channel.TargetsOf(channel.ShardOf(_slot.State.Id));
        if (current.Epoch != replicator.Targets.Epoch || !current.Backups.SequenceEqual(replicator.Targets.Backups) ||
            current.RequiredAcks != replicator.Targets.RequiredAcks)
        {
            replicator.Retarget(current, now, this);
        }
    }

    private void StopIfDone()
    {
        if (_replicator is { IsIdle: true })
        {
            DropReplicator();
        }

        if (_stopRequestedBy is { } stopper && (_replicator is null || _replicator.HeldReplies == 0))
        {
            // Deltas still unacknowledged are in the slot's state, which the shard's next copy or home carries on.
            stopper.Tell(new EntityStopped(_slot.Id), Self);
            Context.Stop(Self);
            _stopRequestedBy = null;
        }
    }

    /// <summary>A reply waiting for its writes to reach the backups, since <paramref name="HeldSince"/> (a
    /// <see cref="Stopwatch"/> timestamp; 0 when not measured).</summary>
    public readonly record struct Waiting(ActorRef To, object Reply, long HeldSince = 0);
}

/// <summary>From the transport, via the region's inbox, to an entity: a backup holds these deltas of its session.</summary>
public sealed record BackupAcknowledged(NodeAddress Backup, long Epoch, long FromSeq, long ToSeq);

/// <summary>To an entity from its own timer: re-send unacknowledged deltas, fail replies past their deadline.</summary>
public sealed record ReplicationTick
{
    public static readonly ReplicationTick Instance = new();
}

/// <summary>From the region to an entity: merge a backup's state of this session, which may hold writes acknowledged under
/// a former home that this one never had. <paramref name="Adopted"/>: the session was new here, its slot made from that
/// state, so it is replicated even though the merge changes nothing.</summary>
public sealed record MergeReplicaState(SessionCrdt State, bool Adopted = false);

/// <summary>From the region's sweep to an entity it suspects is idle: end the session if it has expired.</summary>
public sealed record CheckSessionExpiry
{
    public static readonly CheckSessionExpiry Instance = new();
}

/// <summary>From an entity to its region: the session expired or was invalidated; stop routing to it.</summary>
public sealed record SessionEnded(SessionId SessionId);

/// <summary>From the region to an entity: stop after what is queued (passivation or hand-off); the session stays in its slot.</summary>
public sealed record StopEntity
{
    public static readonly StopEntity Instance = new();
}

/// <summary>From an entity to its region: stopped; its slot's state is final.</summary>
public sealed record EntityStopped(SessionId SessionId);
