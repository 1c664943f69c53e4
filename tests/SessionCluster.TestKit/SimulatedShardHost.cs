using System.Collections.Immutable;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.TestKit;

/// <summary>Sharding on a <see cref="SimulatedNode"/>: its <see cref="ShardRegion"/>, its <see cref="ShardCoordinator"/>
/// (workers only) and the sessions of the shards it hosts, applied synchronously on the simulation's thread.</summary>
/// <remarks>The production host runs each session in an entity actor; here a command is applied the moment it is
/// delivered, which keeps a whole cluster on one thread and a run reproducible from its seed.</remarks>
public sealed class SimulatedShardHost : ISimulatedExtension
{
    private readonly ClusterSimulation _simulation;
    private readonly SimulatedNode _node;
    private readonly SessionHost _host;
    private readonly Dictionary<int, Dictionary<SessionId, SessionCrdt>> _shards = [];
    private readonly Dictionary<long, Action<object>> _waiting = [];
    private long _nextRequestId;
    private bool _stopped;

    public SimulatedShardHost(ClusterSimulation simulation, SimulatedNode node, ShardingSettings settings, SessionSettings sessionSettings, bool hostsShards)
    {
        ArgumentNullException.ThrowIfNull(simulation);
        ArgumentNullException.ThrowIfNull(node);
        _simulation = simulation;
        _node = node;
        _host = new SessionHost(sessionSettings, node.Address.ToString(), new ReplicaId(node.Self.ToString()));
        Region = new ShardRegion(node.Self, hostsShards, settings, sessionSettings.RequestTimeout);
        Coordinator = hostsShards ? new ShardCoordinator(node.Self, settings) : null;
    }

    public ShardRegion Region { get; }

    public ShardCoordinator? Coordinator { get; }

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
        _waiting[id] = onReply;
        Execute(Region.Submit(id, command, Now));
    }

    public bool OnMessage(UniqueAddress from, object message)
    {
        switch (message)
        {
            case IRegionMessage when IsRunning:
                Execute(Region.Receive(from, message, Now));
                return true;
            case ICoordinatorMessage when IsRunning:
                if (Coordinator is not null)
                {
                    Execute(Coordinator.Receive(from, message, Now));
                }

                return true;
            case IRegionMessage or ICoordinatorMessage:
                return true;
            default:
                return false;
        }
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

        Execute(Region.Tick(Now));
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
        foreach (var (id, onReply) in _waiting.ToArray())
        {
            _waiting.Remove(id);
            onReply(new ShardUnavailable(-1, "the node the request entered through stopped", MayHaveApplied: true));
        }
    }

    /// <summary>Starts draining this node (its shards move away), as a graceful leave does first.</summary>
    public void Drain() => Execute(Region.Drain(true, Now));

    private DateTimeOffset Now => _simulation.Clock.GetUtcNow();

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
                    var reply = Apply(deliver.Envelope);
                    if (deliver.Envelope.Origin.Equals(_node.Address))
                    {
                        Complete(deliver.Envelope.RequestId, reply);
                    }
                    else
                    {
                        _node.Transport.Send(deliver.Envelope.Origin, new ShardReply(deliver.Envelope.RequestId, reply));
                    }

                    break;
                case CompleteRequest complete:
                    Complete(complete.RequestId, complete.Reply);
                    break;
                case StartShard start:
                    _shards[start.Shard] = start.Sessions.ToDictionary(session => new SessionId(session.Id));
                    _simulation.Note($"{_node.Self}: shard {start.Shard} started with {start.Sessions.Length} sessions");
                    break;
                case CollectShard collect:
                    var sessions = _shards.TryGetValue(collect.Shard, out var hosted) ? [.. hosted.Values] : ImmutableArray<SessionCrdt>.Empty;
                    _simulation.Note($"{_node.Self}: shard {collect.Shard} collected ({sessions.Length} sessions)");
                    Execute(Region.ShardCollected(collect.Shard, sessions, Now));
                    break;
                case ResumeShard resume:
                    _simulation.Note($"{_node.Self}: shard {resume.Shard} resumed");
                    break;
                case DropShard drop:
                    _shards.Remove(drop.Shard);
                    _simulation.Note($"{_node.Self}: shard {drop.Shard} dropped");
                    break;
            }
        }
    }

    private object Apply(ShardEnvelope envelope)
    {
        var sessions = _shards.TryGetValue(envelope.Shard, out var hosted) ? hosted : _shards[envelope.Shard] = [];
        var command = envelope.Command;
        if (!sessions.TryGetValue(command.SessionId, out var state))
        {
            if (command is not CreateSession)
            {
                return new SessionNotFound(command.SessionId);
            }

            state = SessionCommands.NewSession(command.SessionId, Now, _host.Settings);
        }

        var update = SessionCommands.Apply(state, command, _host, Now);
        if (update.State.IsEnded)
        {
            // As the region does when an entity says its session ended.
            sessions.Remove(command.SessionId);
        }
        else
        {
            sessions[command.SessionId] = update.State;
        }

        return update.Reply;
    }

    private void Complete(long requestId, object reply)
    {
        if (_waiting.Remove(requestId, out var onReply))
        {
            onReply(reply);
        }
    }
}
