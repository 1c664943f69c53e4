using System.Collections.Immutable;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.TestKit;

/// <summary>Sharding on a <see cref="SimulatedNode"/>: its <see cref="ShardRegion"/>, its <see cref="ShardCoordinator"/>
/// (workers only), the sessions of the shards it hosts and their replication, applied synchronously on the
/// simulation's thread.</summary>
/// <remarks>
/// <para>The production host (<see cref="ShardRegionActor"/>) runs each session in an entity actor; here a command is
/// applied the moment it is delivered, which keeps a whole cluster on one thread and a run reproducible from its seed.
/// Everything else is the production shell's work done the same way, with the same state machines: see the
/// replication half of this class for what the entities, the region actor and the transport's inbox do there.</para>
/// <para>A request that enters through this node and is applied here is answered only as production answers it: when
/// its replies are released, or not at all if its session's entity is stopped first. Whoever waits on it then hears,
/// after request-timeout and the client's margin, that it may or may not have been applied: what the production
/// client's Ask timing out means.</para>
/// </remarks>
public sealed partial class SimulatedShardHost : ISimulatedExtension
{
    // SessionClient gives the region this long beyond request-timeout before its Ask gives up.
    private static readonly TimeSpan AskMargin = TimeSpan.FromSeconds(1);

    private readonly ClusterSimulation _simulation;
    private readonly SimulatedNode _node;
    private readonly SessionHost _host;
    private readonly Func<object, TimeSpan?>? _duplicateAfter;
    private readonly Dictionary<int, Dictionary<SessionId, SessionCrdt>> _shards = [];
    private readonly Dictionary<long, (Action<object> OnReply, DateTimeOffset Deadline)> _waiting = [];
    private long _nextRequestId;
    private bool _stopped;

    /// <param name="simulation">The simulation the node runs in.</param>
    /// <param name="node">The node.</param>
    /// <param name="settings">Its sharding settings.</param>
    /// <param name="sessionSettings">Its session settings.</param>
    /// <param name="hostsShards">True for a worker, false for a front (routes only).</param>
    /// <param name="replication">Its replication settings (replication-factor 1 keeps no backup).</param>
    /// <param name="duplicateAfter">For each protocol message that arrives, when it should arrive once more (null:
    /// only once); commands and their answers are never asked, as the transport delivers those at most once.</param>
    public SimulatedShardHost(
        ClusterSimulation simulation,
        SimulatedNode node,
        ShardingSettings settings,
        SessionSettings sessionSettings,
        bool hostsShards,
        ReplicationSettings replication,
        Func<object, TimeSpan?>? duplicateAfter = null)
    {
        ArgumentNullException.ThrowIfNull(simulation);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(replication);
        _simulation = simulation;
        _node = node;
        _duplicateAfter = duplicateAfter;
        Region = new ShardRegion(node.Self, hostsShards, settings, sessionSettings.RequestTimeout);
        Coordinator = hostsShards ? new ShardCoordinator(node.Self, settings, replication.Backups) : null;
        Replicas = hostsShards ? new ShardReplicas(settings.NumberOfShards, replication, node.Transport, simulation.Clock) : null;
        _host = new SessionHost(sessionSettings, node.Address.ToString(), new ReplicaId(node.Self.ToString()), Replicas);
    }

    public ShardRegion Region { get; }

    public ShardCoordinator? Coordinator { get; }

    /// <summary>The production replica store of this node: its shards' backup targets and the copies it keeps as a
    /// backup; null on a front node.</summary>
    public ShardReplicas? Replicas { get; }

    public SimulatedNode Node => _node;

    /// <summary>False once the node crashed or shut down.</summary>
    public bool IsRunning => !_stopped && _node.IsRunning;

    /// <summary>The sessions of a shard this node hosts (served or not), by id.</summary>
    public IReadOnlyDictionary<SessionId, SessionCrdt>? SessionsOf(int shard) => _shards.GetValueOrDefault(shard);

    /// <summary>Every shard this node holds sessions for.</summary>
    public IEnumerable<int> HostedShards => _shards.Keys;

    /// <summary>Sends a command into the cluster through this node; <paramref name="onReply"/> gets the answer, if one comes.</summary>
    public void Submit(SessionCommand command, Action<object> onReply)
    {
        ArgumentNullException.ThrowIfNull(onReply);
        if (!IsRunning)
        {
            return;
        }

        var id = ++_nextRequestId;
        _waiting[id] = (onReply, Now + _host.Settings.RequestTimeout + AskMargin);
        Execute(Region.Submit(id, command, Now));
    }

    public bool OnMessage(UniqueAddress from, object message)
    {
        if (message is not (IRegionMessage or ICoordinatorMessage or IReplicaMessage))
        {
            return false;
        }

        if (IsRunning)
        {
            if (message is not (ShardEnvelope or ShardReply or ShardNotHere) && _duplicateAfter?.Invoke(message) is { } after)
            {
                _simulation.Clock.CreateTimer(_ => Handle(from, message), null, after, Timeout.InfiniteTimeSpan);
            }

            Handle(from, message);
        }

        return true;
    }

    public void OnMembershipChanged(CurrentClusterState state)
    {
        if (_stopped)
        {
            return;
        }

        Execute(Region.MembershipChanged(state, Now));
        if (Coordinator is not null)
        {
            Execute(Coordinator.MembershipChanged(state, Now));
        }
    }

    public void OnTick()
    {
        if (!IsRunning)
        {
            return;
        }

        ExpireWaiting();
        Execute(Region.Tick(Now));
        TickReplication();
        if (Coordinator is not null)
        {
            Execute(Coordinator.Tick(Now));
        }
    }

    /// <summary>The node died: whoever waits on a request that entered through it hears that it may or may not have
    /// been applied, as an HTTP client would see its connection reset.</summary>
    public void OnStopped()
    {
        _stopped = true;
        foreach (var (id, waiting) in _waiting.ToArray())
        {
            _waiting.Remove(id);
            waiting.OnReply(new ShardUnavailable(-1, "the node the request entered through stopped", MayHaveApplied: true));
        }
    }

    /// <summary>Starts draining this node (its shards move away), as a graceful leave does first.</summary>
    public void Drain() => Execute(Region.Drain(true, Now));

    private DateTimeOffset Now => _simulation.Clock.GetUtcNow();

    private void Handle(UniqueAddress from, object message)
    {
        if (!IsRunning)
        {
            return;
        }

        switch (message)
        {
            case IReplicaMessage replica:
                OnReplicaMessage(from, replica);
                break;
            case ShardTransferOffer offer:
                // As the region actor does: the slice from this node's backup copy if every session matches it.
                if (Replicas?.Resolve(offer) is { } slice)
                {
                    Execute(Region.Receive(from, slice, Now));
                }
                else
                {
                    Execute([new SendToNode(from.Address, new ShardTransferDeclined(offer.Shard, offer.Epoch, offer.Chunk))]);
                }

                break;
            case IRegionMessage:
                Execute(Region.Receive(from, message, Now));
                break;
            case ICoordinatorMessage when Coordinator is not null:
                Execute(Coordinator.Receive(from, message, Now));
                break;
        }
    }

    private void Execute(IReadOnlyList<ShardingEffect> effects)
    {
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case SendToNode send:
                    _node.Transport.Send(send.To, send.Message);
                    break;
                case DeliverLocally deliver:
                    Deliver(deliver.Envelope);
                    break;
                case CompleteRequest complete:
                    Complete(complete.RequestId, complete.Reply);
                    break;
                case StartShard start:
                    StartShard(start.Shard, start.Sessions);
                    break;
                case CollectShard collect:
                    CollectShard(collect.Shard);
                    break;
                case ResumeShard resume:
                    ResumeShard(resume.Shard);
                    _simulation.Note($"{_node.Self}: shard {resume.Shard} resumed");
                    break;
                case DropShard drop:
                    DropShard(drop.Shard);
                    _simulation.Note($"{_node.Self}: shard {drop.Shard} dropped");
                    break;
                case ReplicateShard replicate:
                    Replicas?.Replicate(
                        replicate, _shards.TryGetValue(replicate.Shard, out var hosted) ? () => [.. hosted.Values] : null, Region.Settings.TransferChunkBytes, Now);
                    break;
                case KeepBackup keep:
                    Replicas?.Keep(keep.Shard, keep.Home, keep.Epoch);
                    break;
                case DropBackup dropBackup:
                    Replicas?.Take(dropBackup.Shard);
                    break;
                case KeepShardAsBackup keepShard:
                    var handedOver = _shards.TryGetValue(keepShard.Shard, out var kept) ? kept.Values.ToList() : [];
                    DropShard(keepShard.Shard);
                    Replicas?.KeepWhole(keepShard.Shard, keepShard.Home, keepShard.Epoch, handedOver);
                    _simulation.Note($"{_node.Self}: shard {keepShard.Shard} kept as a backup of {keepShard.Home} ({handedOver.Count} sessions)");
                    break;
            }
        }
    }

    /// <summary>As the region actor's StartShard: the sessions handed over, merged with this node's backup copy of the
    /// shard if it kept one (a promoted backup, or a new home that was one).</summary>
    private void StartShard(int shard, ImmutableArray<SessionCrdt> handedOver)
    {
        var backedUp = Replicas?.Take(shard) ?? [];
        var sessions = new Dictionary<SessionId, SessionCrdt>();
        foreach (var state in handedOver.Concat(backedUp))
        {
            var id = new SessionId(state.Id);
            sessions[id] = sessions.TryGetValue(id, out var existing) ? SessionCrdt.Merge(existing, state) : state;
        }

        _shards[shard] = sessions;
        _simulation.Note($"{_node.Self}: shard {shard} started with {handedOver.Length} sessions handed over and {backedUp.Length} backed up");
    }

    /// <summary>Applies a command as the session's entity does, and answers it once its writes are safe.</summary>
    private void Deliver(ShardEnvelope envelope)
    {
        var sessions = _shards.TryGetValue(envelope.Shard, out var hosted) ? hosted : _shards[envelope.Shard] = [];
        var command = envelope.Command;
        if (!sessions.TryGetValue(command.SessionId, out var state))
        {
            if (command is not CreateSession)
            {
                Answer(envelope, new SessionNotFound(command.SessionId));
                return;
            }

            state = SessionCommands.NewSession(command.SessionId, Now, _host.Settings);
        }

        if (IsStopping(command.SessionId, envelope))
        {
            return;
        }

        var update = SessionCommands.Apply(state, command, _host, Now);
        sessions[command.SessionId] = update.State;
        Write(envelope.Shard, command.SessionId, update.Delta);
        if (update.State.IsEnded)
        {
            // As the region does when an entity says its session ended: the slot goes, and the entity with it.
            sessions.Remove(command.SessionId);
        }

        AnswerWhenSafe(envelope, update.Reply);
        if (update.State.IsEnded)
        {
            KillWriter(command.SessionId);
        }
    }

    private void Answer(ShardEnvelope envelope, object reply)
    {
        if (envelope.Origin.Equals(_node.Address))
        {
            Complete(envelope.RequestId, reply);
        }
        else
        {
            _node.Transport.Send(envelope.Origin, new ShardReply(envelope.RequestId, reply));
        }
    }

    private void Complete(long requestId, object reply)
    {
        if (_waiting.Remove(requestId, out var waiting))
        {
            waiting.OnReply(reply);
        }
    }

    /// <summary>Local requests nobody answered within the client's timeout: their outcome is unknown.</summary>
    private void ExpireWaiting()
    {
        foreach (var (id, waiting) in _waiting.Where(entry => entry.Value.Deadline <= Now).ToList())
        {
            _waiting.Remove(id);
            waiting.OnReply(new ShardUnavailable(-1, "no answer within the client's timeout", MayHaveApplied: true));
        }
    }
}
