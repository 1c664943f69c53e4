using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using SessionCluster.Actors.Diagnostics;
using SessionCluster.Actors.Management;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Runtime;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.Actors.Hosting;

/// <summary>This process's membership in the cluster: the TCP transport and the <see cref="ClusterDaemon"/> on it.</summary>
/// <remarks>
/// Start binds the cluster port (0 = any free port; the bound one is logged), then starts the daemon, which joins
/// through the seeds or forms a single-node cluster when there are none. Stop leaves gracefully: it waits (at most
/// the exiting timeout and a margin) until the others have seen this node leave, so that they do not have to
/// detect it as failed.
/// </remarks>
public sealed partial class ClusterNode : IAsyncDisposable
{
    private readonly string _route;
    private readonly SessionClusterSettings _settings;
    private readonly ActorSystem _system;
    private readonly ILogger _logger;
    private readonly TcpTransport _transport;
    private readonly TransportInbox _inbox;
    private readonly TaskCompletionSource<string> _out = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ActorRef? _daemon;
    private volatile ShutDownSelf? _shutDown;
    private volatile CurrentClusterState? _view;
    private IDisposable? _gauges;

    /// <param name="settings">The node's settings.</param>
    /// <param name="timeProvider">The cluster's clock. Hosts pass the system clock even when sessions run on a test clock:
    /// membership is tested deterministically in the simulation, and here it must see real time pass to leave.</param>
    /// <param name="loggerFactory">Where membership transitions are logged.</param>
    /// <param name="route">The node's route name, which the membership shows beside its address; empty for none.</param>
    public ClusterNode(SessionClusterSettings settings, TimeProvider timeProvider, ILoggerFactory loggerFactory, string route = "")
    {
        _settings = settings;
        _route = route;
        _system = new ActorSystem("cluster", timeProvider, loggerFactory);
        _inbox = new TransportInbox(timeProvider);
        _logger = loggerFactory.CreateLogger<ClusterNode>();
        var serializer = CreateWireSerializer();
        // The incarnation uid: random, so a node restarted on the same address is told apart from the one that died.
        var uid = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)) & long.MaxValue;
        _transport = new TcpTransport(settings.Remote, serializer, uid, timeProvider, loggerFactory.CreateLogger<TcpTransport>());
    }

    /// <summary>Every message type a node puts on the wire, registered (the fuzzers decode with exactly this set).</summary>
    internal static WireSerializer CreateWireSerializer()
    {
        var serializer = new WireSerializer();
        MembershipWireFormat.Register(serializer);
        ShardingWireFormat.Register(serializer);
        ReplicaWireFormat.Register(serializer);
        ManagementWireFormat.Register(serializer);
        return serializer;
    }

    /// <summary>This node's address and incarnation; valid once started.</summary>
    public UniqueAddress Self => _transport.Self;

    /// <summary>Why this node left the cluster (downed, removed), or null while it is a member or joining.</summary>
    public string? ShutDownReason => _shutDown?.Reason;

    /// <summary>True once the cluster has put this node out without it asking to leave: downed by the split-brain
    /// resolver or an operator, or removed after that.</summary>
    public bool WasShutOut => _shutDown is { Left: false };

    /// <summary>Raised once when the cluster has shut this node out; the host stops on it.</summary>
    public event Action<string>? ShutDown;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _transport.StartAsync(_inbox, cancellationToken).ConfigureAwait(false);
        LogBound(_transport.Self);
        var machine = new MembershipNode(_transport.Self, _settings.Cluster, _settings.Node.Roles, new Random(RandomNumberGenerator.GetInt32(int.MaxValue)), route: _route);
        var daemonLogger = _logger;
        var daemonProps = Props.Create(() => new ClusterDaemon(machine, _transport, OnShutDown, daemonLogger, view => _view = view));
        _daemon = _system.ActorOf(ClusterDaemon.Mailbox(_settings.Cluster) is { } bound ? daemonProps.WithMailbox(bound) : daemonProps, "cluster");
        _inbox.Attach(_daemon);
        _gauges = SessionClusterMetrics.Register(new NodeGauges
        {
            UpMembers = () => _view?.Members.Count(member => member.Status == MemberStatus.Up) ?? 0,
            UnreachableMembers = () => _view?.Unreachable.Count ?? 0,
            RemoteMessagesSent = () => _transport.MessagesSent,
            RemoteMessagesReceived = () => _transport.MessagesReceived,
            RemoteMessagesDropped = () => _transport.MessagesDropped,
            RemoteQueueOverflows = () => _transport.QueueOverflows,
            RemoteOutboundQueued = () => _transport.OutboundQueued,
            RemoteOutboundQueuedBytes = () => _transport.OutboundQueuedBytes,
            RemoteConnectionsRefused = () => _transport.HandshakesRejected + _transport.ConnectionsClosedOnBadInput,
        });
    }

    /// <summary>The membership as this node saw it at its latest change, without asking the daemon (null before start).</summary>
    public CurrentClusterState? LastView => _view;

    /// <summary>The transport to the other nodes; started by <see cref="StartAsync"/>.</summary>
    public ITransport Transport => _transport;

    /// <summary>The membership daemon (subscribe to cluster events here); valid once started.</summary>
    public ActorRef Daemon => _daemon ?? throw new InvalidOperationException("The cluster node has not started.");

    /// <summary>From now on, sharding messages from other nodes go to <paramref name="sharding"/>.</summary>
    public void AttachSharding(ShardingInbox sharding) => _inbox.AttachSharding(sharding);

    /// <summary>From now on, management messages from other nodes go to <paramref name="management"/>.</summary>
    public void AttachManagement(Action<UniqueAddress, object> management) => _inbox.AttachManagement(management);

    /// <summary>Every cluster event from now on, after a <see cref="CurrentClusterState"/> snapshot, until the
    /// subscription is disposed or the cluster side stops (the reader then completes).</summary>
    public ClusterEventSubscription SubscribeEvents() => ClusterEventSubscription.Start(_system, Daemon);

    /// <summary>The membership as this node sees it now.</summary>
    public Task<CurrentClusterState> GetStateAsync(CancellationToken cancellationToken) =>
        Daemon.Ask<CurrentClusterState>(GetClusterState.Instance, TimeSpan.FromSeconds(5), cancellationToken);

    /// <summary>Leaves gracefully and waits until this node is out, at most until <paramref name="cancellationToken"/> fires.</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        if (_daemon is null || _shutDown is not null)
        {
            return;
        }

        try
        {
            await _daemon.Ask<ClusterCommandAccepted>(new LeaveCluster(), TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
            var limit = _settings.Cluster.ExitingTimeout + _settings.Cluster.GossipInterval * 10;
            await _out.Task.WaitAsync(limit, _system.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is TimeoutException or OperationCanceledException or ActorTerminatedException)
        {
            // Leaving is best effort: the others will detect this node as gone anyway.
            LogLeaveIncomplete(_transport.Self, exception.Message);
            return;
        }

        LogLeft(_transport.Self, _shutDown?.Reason ?? "timed out waiting for removal");
    }

    /// <summary>Asks the daemon to mark another member Down or Leaving.</summary>
    public Task DownAsync(NodeAddress address, CancellationToken cancellationToken) =>
        Daemon.Ask<ClusterCommandAccepted>(new DownMember(address), TimeSpan.FromSeconds(5), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _gauges, null)?.Dispose();
        await _system.TerminateAsync().ConfigureAwait(false);
        await _transport.DisposeAsync().ConfigureAwait(false);
    }

    private void OnShutDown(ShutDownSelf shutDown)
    {
        _shutDown = shutDown;
        _out.TrySetResult(shutDown.Reason);
        ShutDown?.Invoke(shutDown.Reason);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster transport listening on {Self}")]
    private partial void LogBound(UniqueAddress self);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster node {Self} could not finish leaving gracefully: {Reason}")]
    private partial void LogLeaveIncomplete(UniqueAddress self, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster node {Self} left: {Reason}")]
    private partial void LogLeft(UniqueAddress self, string reason);

    /// <summary>Hands transport deliveries to the daemon (membership) or the shard region (sharding) once they exist;
    /// earlier ones are dropped like network loss, which both protocols recover from. Refused connections go to the
    /// daemon, stamped with the time they were observed.</summary>
    private sealed class TransportInbox(TimeProvider time) : ITransportHandler
    {
        private volatile ActorRef? _daemon;
        private volatile ShardingInbox? _sharding;
        private volatile Action<UniqueAddress, object>? _management;

        public void Attach(ActorRef daemon) => _daemon = daemon;

        public void AttachSharding(ShardingInbox sharding) => _sharding = sharding;

        public void AttachManagement(Action<UniqueAddress, object> management) => _management = management;

        public void OnMessage(UniqueAddress from, object message)
        {
            if (message is IRegionMessage or ICoordinatorMessage or Replication.IReplicaMessage)
            {
                _sharding?.OnMessage(from, message);
            }
            else if (message is IManagementMessage)
            {
                _management?.Invoke(from, message);
            }
            else
            {
                _daemon?.Tell(new InboundMessage(from, message));
            }
        }

        public void OnConnectionRefused(NodeAddress peer) => _daemon?.Tell(new PeerRefusedConnection(peer, time.GetUtcNow()));
    }
}
