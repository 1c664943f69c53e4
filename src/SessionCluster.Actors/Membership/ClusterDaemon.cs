using Microsoft.Extensions.Logging;
using SessionCluster.Actors.Diagnostics;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Runtime;

namespace SessionCluster.Actors.Membership;

/// <summary>The actor shell around <see cref="MembershipNode"/>: feeds it transport messages and ticks, carries out its effects.</summary>
/// <remarks>
/// All the protocol logic is in the pure state machine; this actor only serializes access to it (one input at a
/// time), reads the clock, sends through the transport, logs transitions and fans events out to subscribers. When
/// the machine says this node is out of the cluster (downed or removed), the daemon stops ticking and calls the
/// host's shut-down callback: a downed node must not go on serving as if nothing happened.
/// </remarks>
/// <param name="machine">The membership state machine it runs.</param>
/// <param name="transport">Where its messages go.</param>
/// <param name="onShutDown">Called once when this node is out of the cluster.</param>
/// <param name="logger">Where transitions are logged.</param>
/// <param name="onViewChanged">Called on the daemon's thread with the new view after each change it publishes (and once
/// at start), for readers that must not wait for an Ask: gauges, status pages.</param>
public sealed partial class ClusterDaemon(
    MembershipNode machine, ITransport transport, Action<ShutDownSelf> onShutDown, ILogger logger, Action<CurrentClusterState>? onViewChanged = null) : Actor
{
    private const string TickKey = "tick";
    private readonly HashSet<ActorRef> _subscribers = [];
    private bool _shutDown;

    protected internal override SupervisorStrategy SupervisorStrategy => SupervisorStrategy.StoppingStrategy;

    /// <summary>The daemon's mailbox bound: gossip from peers, and only gossip, is dropped when the queue is full (the
    /// next round re-sends it; nobody waits for an answer); null if <see cref="ClusterSettings.DaemonMailboxCapacity"/> is 0.</summary>
    public static MailboxBound? Mailbox(ClusterSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.DaemonMailboxCapacity == 0
            ? null
            : new MailboxBound(settings.DaemonMailboxCapacity, static message => message is InboundMessage { Message: GossipEnvelope }, static (_, _) => { });
    }

    protected internal override void PreStart()
    {
        LogStarting(machine.Self, string.Join(", ", machine.Settings.SeedNodes));
        Execute(machine.Start(Now));
        onViewChanged?.Invoke(machine.State);
        ScheduleTick();
    }

    protected internal override void Receive(object message)
    {
        switch (message)
        {
            case Tick:
                Execute(machine.Tick(Now));
                if (!_shutDown)
                {
                    ScheduleTick();
                }

                break;
            case InboundMessage inbound:
                if (inbound.Message is GossipEnvelope)
                {
                    SessionClusterMetrics.GossipMessages.Add(1, SessionClusterMetrics.GossipReceived);
                }

                Execute(machine.Receive(inbound.From, inbound.Message, Now));
                break;
            case PeerRefusedConnection refused:
                Execute(machine.ConnectionRefused(refused.Address, refused.ObservedAt, Now));
                break;
            case GetClusterState:
                Sender.Tell(machine.State);
                break;
            case LeaveCluster { Address: null }:
                Execute(machine.Leave(Now));
                Sender.Tell(ClusterCommandAccepted.Instance);
                break;
            case LeaveCluster leave:
                Execute(machine.Leave(leave.Address, Now));
                Sender.Tell(ClusterCommandAccepted.Instance);
                break;
            case DownMember down:
                Execute(machine.Down(down.Address, Now));
                Sender.Tell(ClusterCommandAccepted.Instance);
                break;
            case SubscribeClusterEvents subscribe:
                _subscribers.Add(subscribe.Subscriber);
                subscribe.Subscriber.Tell(machine.State, Self);
                break;
            case UnsubscribeClusterEvents unsubscribe:
                _subscribers.Remove(unsubscribe.Subscriber);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private DateTimeOffset Now => Context.System.TimeProvider.GetUtcNow();

    // One tick at a time, re-armed after each: a busy or paused node (or a test clock jumping ahead) then gets one
    // late tick, not a burst of every missed one; the state machine reads the time it is given anyway.
    private void ScheduleTick() => Context.Timers.StartSingleTimer(TickKey, Tick.Instance, machine.Settings.TickInterval);

    private void Execute(IReadOnlyList<MembershipEffect> effects)
    {
        var changed = false;
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case Send send:
                    if (send.Message is GossipEnvelope)
                    {
                        SessionClusterMetrics.GossipMessages.Add(1, SessionClusterMetrics.GossipSent);
                    }

                    transport.Send(send.To, send.Message);
                    break;
                case Publish publish:
                    changed = true;
                    LogPublished(publish.Event);
                    foreach (var subscriber in _subscribers)
                    {
                        subscriber.Tell(publish.Event, Self);
                    }

                    break;
                case ShutDownSelf shutDown when !_shutDown:
                    _shutDown = true;
                    Context.Timers.Cancel(TickKey);
                    // A leave that was asked for is news, not trouble.
                    LogShutDown(shutDown.Left ? LogLevel.Information : LogLevel.Warning, machine.Self, shutDown.Reason);

                    onShutDown(shutDown);
                    break;
            }
        }

        if (changed)
        {
            onViewChanged?.Invoke(machine.State);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster node {Self} starting; seeds: [{Seeds}]")]
    private partial void LogStarting(UniqueAddress self, string seeds);

    /// <summary>One structured line per membership transition (type, member, status); the message keeps the event's
    /// own text too, which people and specs search for (e.g. <c>UnreachableMember {</c>).</summary>
    private void LogPublished(ClusterEvent clusterEvent)
    {
        var text = clusterEvent.ToString() ?? clusterEvent.GetType().Name;
        switch (clusterEvent)
        {
            case MemberEvent { Member: var member }:
                LogMemberTransition(clusterEvent.GetType().Name, member.Address, member.Status, text);
                break;
            case UnreachableMember { Member: var unreachable }:
                // An Exiting member going unreachable is a leaver's process ending: expected.
                LogUnreachable(unreachable.Status == MemberStatus.Exiting ? LogLevel.Information : LogLevel.Warning, unreachable.Address, unreachable.Status, text);
                break;
            case ReachableMember { Member: var reachable }:
                LogReachable(reachable.Address, reachable.Status, text);
                break;
            case LeaderChanged leader:
                LogLeaderChanged(leader.Leader?.Address, text);
                break;
            case StillJoining or JoinRefused:
                LogJoinTrouble(text);
                break;
            default:
                LogEvent(text);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster join: {Event}")]
    private partial void LogJoinTrouble(string @event);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster event: {Event}")]
    private partial void LogEvent(string @event);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster event {EventType}: member {Member} is {Status}: {Event}")]
    private partial void LogMemberTransition(string eventType, NodeAddress member, MemberStatus status, string @event);

    [LoggerMessage(Message = "Cluster event UnreachableMember: member {Member} ({Status}) is unreachable: {Event}")]
    private partial void LogUnreachable(LogLevel level, NodeAddress member, MemberStatus status, string @event);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster event ReachableMember: member {Member} ({Status}) is reachable again: {Event}")]
    private partial void LogReachable(NodeAddress member, MemberStatus status, string @event);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster event LeaderChanged: leader is now {Leader}: {Event}")]
    private partial void LogLeaderChanged(NodeAddress? leader, string @event);

    [LoggerMessage(Message = "Cluster node {Self} is out of the cluster ({Reason}); shutting its cluster side down")]
    private partial void LogShutDown(LogLevel level, UniqueAddress self, string reason);

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }
}
