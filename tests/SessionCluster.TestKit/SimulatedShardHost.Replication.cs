using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.TestKit;

// The replication half of the simulated host: what production does in three places, done here the same way with the
// same state machines and the production ShardReplicas.
//  - SessionEntity: a DeltaReplicator per session while something is in flight; every reply waits until the write
//    consistency holds for the writes before it, and fails with ShardReplicas.NotReplicated at the write timeout.
//    Told to stop (hand-off), an entity first lets its replies go; the acknowledgements it waits for still reach it
//    (through the region, which knows the stopping entities) as long as its shard is hosted here.
//  - ShardRegionActor: ReplicateShard sets the shard's targets and starts a windowed ShardCopy to each new backup
//    (ShardReplicas.Replicate), sent on every tick; KeepBackup / DropBackup / KeepShardAsBackup keep or forget the
//    backup copy and StartShard merges it (see the main file); collecting a shard waits for its stopping entities.
//  - ShardingInbox: deltas and copy slices merge into the backup copy and are acknowledged; a completed copy is
//    reported to the region (BackupCopied); acknowledgements go to the session's writer or the shard's copy.
public sealed partial class SimulatedShardHost
{
    private readonly Dictionary<SessionId, Writer> _writers = [];
    private readonly Dictionary<int, HashSet<SessionId>> _collecting = [];
    private readonly List<(ShardEnvelope Envelope, object Reply)> _released = [];
    private ReplicationOutput? _output;

    /// <summary>Whole-shard copies to new backups not yet acknowledged.</summary>
    public int CopiesInFlight => Replicas?.CopiesInFlight ?? 0;

    private ReplicationOutput Output => _output ??= new ReplicationOutput(this);

    /// <summary>As the entity's Commit: a change's delta goes to the shard's backups.</summary>
    private void Write(int shard, SessionId id, SessionCrdt? delta)
    {
        if (delta is null || Replicas is not { } channel)
        {
            return;
        }

        if (!_writers.TryGetValue(id, out var writer))
        {
            writer = new Writer(new DeltaReplicator<HeldReply>(channel.TargetsOf(shard)));
            _writers[id] = writer;
        }

        Retarget(writer, channel, shard);
        writer.Replicator.Write(channel.NextSeq(shard), delta, Now, Output);
        Settle(id, writer);
    }

    /// <summary>As the entity's Answer: at once if nothing is in flight, else once the writes before it are safe.</summary>
    private void AnswerWhenSafe(ShardEnvelope envelope, object reply)
    {
        var id = envelope.Command.SessionId;
        if (Replicas is not { } channel || !_writers.TryGetValue(id, out var writer))
        {
            Answer(envelope, reply);
            return;
        }

        writer.Replicator.Reply(new HeldReply(envelope, reply), Now + channel.Settings.WriteTimeout, Output);
        Settle(id, writer);
    }

    /// <summary>A command for a session whose entity is still stopping waits for the entity that follows, as the
    /// region actor keeps it; true if it was kept.</summary>
    private bool IsStopping(SessionId id, ShardEnvelope envelope)
    {
        if (!_writers.TryGetValue(id, out var writer) || !writer.Stopping)
        {
            return false;
        }

        (writer.Queued ??= []).Add(envelope);
        return true;
    }

    /// <summary>The entity is stopped at once (its session ended, or its shard was dropped): what it held goes unanswered.</summary>
    private void KillWriter(SessionId id) => _writers.Remove(id);

    /// <summary>As the entity's StopIfDone: a replicator with nothing in flight is dropped; a stopping entity stops once
    /// its replies are out. Then the replies released meanwhile are answered (after, so that an answer never runs
    /// inside the replicator).</summary>
    private void Settle(SessionId id, Writer writer)
    {
        if (writer.Stopping ? writer.Replicator.HeldReplies == 0 : writer.Replicator.IsIdle)
        {
            _writers.Remove(id);
            if (writer.Stopping)
            {
                OnWriterStopped(id, writer);
            }
        }

        var released = _released.ToList();
        _released.Clear();
        foreach (var (envelope, reply) in released)
        {
            Answer(envelope, reply);
        }
    }

    private void Retarget(Writer writer, ShardReplicas channel, int shard)
    {
        var current = channel.TargetsOf(shard);
        var targets = writer.Replicator.Targets;
        if (current.Epoch != targets.Epoch || !current.Backups.SequenceEqual(targets.Backups) || current.RequiredAcks != targets.RequiredAcks)
        {
            writer.Replicator.Retarget(current, Now, Output);
        }
    }

    /// <summary>As the region actor's CollectShard: every entity of the shard is told to stop; the shard's sessions are
    /// handed to the region once the last one has.</summary>
    private void CollectShard(int shard)
    {
        var stopping = new HashSet<SessionId>();
        if (_shards.TryGetValue(shard, out var sessions))
        {
            foreach (var id in sessions.Keys.ToList())
            {
                if (_writers.TryGetValue(id, out var writer) && !writer.Stopping)
                {
                    writer.Stopping = true;
                    stopping.Add(id);
                    Settle(id, writer);
                }
            }
        }

        stopping.RemoveWhere(id => !_writers.ContainsKey(id));
        _simulation.Note($"{_node.Self}: shard {shard} collecting, {stopping.Count} entities still answering");
        if (stopping.Count == 0)
        {
            FinishCollecting(shard);
        }
        else
        {
            _collecting[shard] = stopping;
        }
    }

    private void FinishCollecting(int shard)
    {
        var sessions = _shards.TryGetValue(shard, out var hosted) ? [.. hosted.Values] : System.Collections.Immutable.ImmutableArray<SessionCrdt>.Empty;
        _simulation.Note($"{_node.Self}: shard {shard} collected ({sessions.Length} sessions)");
        Execute(Region.ShardCollected(shard, sessions, Now));
    }

    /// <summary>As the region actor's OnEntityStopped: commands that waited go to a new entity (itself stopped again if
    /// the shard is being collected), and the collection counts one more stopped.</summary>
    private void OnWriterStopped(SessionId id, Writer stopped)
    {
        var shard = ShardId.Of(id, Region.Settings.NumberOfShards);
        foreach (var envelope in stopped.Queued ?? [])
        {
            Deliver(envelope);
        }

        if (_collecting.TryGetValue(shard, out var waiting))
        {
            if (stopped.Queued is not null && _writers.TryGetValue(id, out var successor) && !successor.Stopping)
            {
                successor.Stopping = true;
                waiting.Add(id);
            }

            waiting.Remove(id);
            if (waiting.Count == 0)
            {
                _collecting.Remove(shard);
                FinishCollecting(shard);
            }
        }
    }

    private void ResumeShard(int shard) => _collecting.Remove(shard);

    /// <summary>As the region actor's DropShard: no targets, no copies, no sessions; running entities are stopped at once.</summary>
    private void DropShard(int shard)
    {
        _collecting.Remove(shard);
        Replicas?.Untarget(shard);

        if (_shards.Remove(shard, out var sessions))
        {
            foreach (var id in sessions.Keys.ToList())
            {
                if (_writers.TryGetValue(id, out var writer) && !writer.Stopping)
                {
                    KillWriter(id);
                }
            }
        }
    }

    /// <summary>The region actor's tick sends copies; each entity's resend timer re-sends deltas and fails late replies.</summary>
    private void TickReplication()
    {
        if (Replicas is not { } channel)
        {
            return;
        }

        channel.SendCopies(Now);

        foreach (var (id, writer) in _writers.ToList())
        {
            if (_writers.TryGetValue(id, out var current) && ReferenceEquals(current, writer))
            {
                Retarget(writer, channel, channel.ShardOf(id.Value));
                writer.Replicator.Tick(Now, channel.Settings.ResendInterval, Output);
                Settle(id, writer);
            }
        }
    }

    /// <summary>As the transport's inbox (ShardingInbox) and the region actor take replica messages.</summary>
    private void OnReplicaMessage(UniqueAddress from, IReplicaMessage message)
    {
        switch (message)
        {
            case ReplicaDelta delta:
                Replicas?.OnDelta(from, delta);
                break;
            case ReplicaCopy slice when Replicas?.OnCopy(from, slice) == true:
                _simulation.Note($"{_node.Self}: backup copy of shard {slice.Shard} complete");
                Execute(Region.BackupCopied(slice.Shard));
                break;
            case ReplicaDeltaAck ack:
                var id = new SessionId(ack.SessionId);
                if (_shards.TryGetValue(ack.Shard, out var sessions) && sessions.ContainsKey(id) &&
                    _writers.TryGetValue(id, out var writer))
                {
                    writer.Replicator.Acknowledged(from.Address, ack.Epoch, ack.FromSeq, ack.ToSeq, Output);
                    Settle(id, writer);
                }

                break;
            case ReplicaCopyAck ack:
                Replicas?.CopyAcknowledged(from.Address, ack, Now);
                break;
            case BackupRead read:
                _node.Transport.Send(read.Origin, Replicas?.Read(read, _host.Owner) is { } fromCopy
                    ? new ShardReply(read.RequestId, fromCopy)
                    : new ShardNotHere(read.RequestId, read.Shard, null, read.Epoch));
                break;
        }
    }

    /// <summary>A session's entity, as far as replication goes: its replicator, and whether it was told to stop.</summary>
    private sealed class Writer(DeltaReplicator<HeldReply> replicator)
    {
        public DeltaReplicator<HeldReply> Replicator { get; } = replicator;

        /// <summary>Told to stop (its shard is being collected): it stops once its replies are out.</summary>
        public bool Stopping { get; set; }

        /// <summary>Commands that arrived while it was stopping, for the entity that follows.</summary>
        public List<ShardEnvelope>? Queued { get; set; }
    }

    /// <summary>A reply waiting for its writes to reach the backups, with the request it answers.</summary>
    private readonly record struct HeldReply(ShardEnvelope Envelope, object Reply);

    /// <summary>What the replicators ask for: deltas on the wire, replies released or failed (answered after the
    /// replicator returns, see <see cref="Settle"/>).</summary>
    private sealed class ReplicationOutput(SimulatedShardHost host) : IReplicationOutput<HeldReply>
    {
        public void Send(NodeAddress backup, long epoch, long fromSeq, long toSeq, SessionCrdt delta) =>
            host._node.Transport.Send(backup, new ReplicaDelta(host.Replicas!.ShardOf(delta.Id), epoch, fromSeq, toSeq, delta));

        public void Release(HeldReply reply) => host._released.Add((reply.Envelope, reply.Reply));

        public void Fail(HeldReply reply) => host._released.Add((reply.Envelope, host.Replicas!.NotReplicated(reply.Envelope.Shard)));
    }
}
