using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SessionCluster.Actors.Diagnostics;
using SessionCluster.Actors.Management;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Runtime;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.Actors.Hosting;

/// <summary>One node's session service: its actor system and session region, started and stopped with the host.</summary>
public sealed partial class SessionNode : IHostedLifecycleService, IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly ILogger<SessionNode> _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ShardRoutes _routes;
    private readonly RemoteRequests _remoteRequests;
    private ActorRef? _region;
    private IDisposable? _gauges;
    private volatile bool _ready;
    private bool _stopping;
    private readonly IHostApplicationLifetime? _lifetime;
    private ClusterEventSubscription? _events;
    private Task _leaveWatch = Task.CompletedTask;

    public SessionNode(SessionClusterSettings settings, string route, TimeProvider timeProvider, ILoggerFactory loggerFactory, IHostApplicationLifetime? lifetime = null)
    {
        Settings = settings;
        Route = route;
        _logger = loggerFactory.CreateLogger<SessionNode>();
        _system = new ActorSystem(route, timeProvider, loggerFactory);
        _loggerFactory = loggerFactory;
        LocalShards = new LocalShards(settings.Sharding.NumberOfShards);
        _routes = new ShardRoutes(settings.Sharding.NumberOfShards);
        _remoteRequests = new RemoteRequests(TimeProvider.System, settings.Sessions.RequestTimeout);
        Client = new SessionClient(LocalShards, settings.Sessions);
        Cluster = new ClusterNode(settings, TimeProvider.System, loggerFactory, route);
        _lifetime = lifetime;
        Management = new NodeManagement(
            Cluster, settings, route, () => lifetime?.StopApplication(), () => _region, CountsNow, TimeProvider.System, loggerFactory);

        // Out of the cluster means out of service: a downed node must not keep serving as if nothing happened.
        Cluster.ShutDown += _ =>
        {
            _ready = false;
            if (!IsStopping)
            {
                lifetime?.StopApplication();
            }
        };
    }

    /// <summary>This node's cluster membership.</summary>
    public ClusterNode Cluster { get; }

    public SessionClusterSettings Settings { get; }

    /// <summary>This node's management side: the actions and reads of the management API.</summary>
    public NodeManagement Management { get; }

    /// <summary>This node's route name, the suffix of the session cookies it issues.</summary>
    public string Route { get; }

    /// <summary>This node's shard region (routes every session command); valid once started.</summary>
    public ActorRef Region => _region ?? throw new InvalidOperationException("The session node has not started.");

    /// <summary>The shards this node hosts, with their sessions.</summary>
    public LocalShards LocalShards { get; }

    /// <summary>This node's backup copies and replication targets; null on a front node or before start.</summary>
    public ShardReplicas? Replicas { get; private set; }

    /// <summary>True if this node hosts shards (worker role); false for a front node, which only routes.</summary>
    public bool HostsShards => Settings.Node.Roles.Contains(CoordinatorPlacement.WorkerRole);

    public SessionClient Client { get; }

    public ActorSystem System => _system;

    /// <summary>True between start and the beginning of shutdown: the node takes requests.</summary>
    public bool IsReady => _ready;

    /// <summary>True once shutdown has begun: HTTP may still serve (<see cref="HttpSettings.ShutdownDelay"/>), but each
    /// response should close its connection, so that a balancer does not send on one the server is about to close.</summary>
    public bool IsStopping => Volatile.Read(ref _stopping);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs before any service of the host stops, the HTTP server included: the node turns not ready and starts
    /// closing connections after their response, then waits <see cref="HttpSettings.ShutdownDelay"/> while it still
    /// serves (a lame duck), so that a balancer in front moves off before the server stops listening. A node put out of
    /// the cluster has nothing left to serve and skips the wait; so does a second call (the wait is served once). From
    /// here on the node is stopping: being told to leave or downed no longer asks the host to stop again.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _ready = false;
        var delay = Settings.Http.ShutdownDelay;
        if (Interlocked.Exchange(ref _stopping, true) || delay <= TimeSpan.Zero || Cluster.ShutDownReason is not null)
        {
            return;
        }

        LogLameDuck(Route, delay.TotalSeconds);
        try
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ran out: stop now.
        }
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await Cluster.StartAsync(cancellationToken).ConfigureAwait(false);
        var self = Cluster.Self;
        var region = new ShardRegion(self, HostsShards, Settings.Sharding, Settings.Sessions.RequestTimeout);
        var coordinator = HostsShards ? new ShardCoordinator(self, Settings.Sharding, Settings.Replication.Backups) : null;
        Replicas = HostsShards ? new ShardReplicas(Settings.Sharding.NumberOfShards, Settings.Replication, Cluster.Transport, TimeProvider.System, Settings.Sessions)
        {
            Logger = _loggerFactory.CreateLogger<ShardReplicas>(),
        }
        : null;
        var logger = _loggerFactory.CreateLogger<ShardRegionActor>();
        // The replica id names this incarnation (uid included), so counters it starts never hide behind a previous run's.
        var host = new SessionHost(Settings.Sessions, Route, new ReplicaId(self.ToString()), Replicas);
        var regionProps = Props.Create(() => new ShardRegionActor(
            region, coordinator, Cluster.Transport, Cluster.Daemon, LocalShards, _routes, _remoteRequests, host, Replicas, TimeProvider.System, logger));
        _region = _system.ActorOf(
            ShardingMailboxes.Region(Settings.Sharding, Cluster.Transport) is { } bound ? regionProps.WithMailbox(bound) : regionProps,
            "sharding");
        Cluster.AttachSharding(new ShardingInbox(_region, _remoteRequests, LocalShards, Cluster.Transport, Replicas, Route));
        Client.Attach(_region, new DirectRoute(Cluster.Transport, _routes, _remoteRequests));
        if (HostsShards)
        {
            var replicas = Replicas;
            _gauges = SessionClusterMetrics.Register(new NodeGauges
            {
                SessionsHosted = () => LocalShards.SessionCount(),
                ShardsHosted = () => LocalShards.Counts().Count,
                BackupCopies = () => replicas?.BackupCounts().Count ?? 0,
            });
        }

        _ready = true;
        if (_lifetime is not null)
        {
            _events = Cluster.SubscribeEvents();
            _leaveWatch = StopWhenToldToLeaveAsync(_events, _lifetime);
        }

        LogStarted(Route, string.Join(",", Settings.Node.Roles));
    }

    /// <summary>A node that sees itself Leaving without having asked (another node's LeaveCluster) starts its graceful
    /// shutdown, so that it hands its shards off while it can rather than wait, serving, until it is removed.</summary>
    private async Task StopWhenToldToLeaveAsync(ClusterEventSubscription events, IHostApplicationLifetime lifetime)
    {
        await foreach (var message in events.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (message is MemberLeft left && left.Member.UniqueAddress.Equals(Cluster.Self) && !IsStopping)
            {
                LogToldToLeave(Route);
                lifetime.StopApplication();
                return;
            }
        }
    }

    private NodeCounts CountsNow()
    {
        var sessions = 0;
        var shards = 0;
        foreach (var (_, serving, count) in LocalShards.Counts())
        {
            if (serving)
            {
                shards++;
                sessions += count;
            }
        }

        return new NodeCounts(sessions, shards, Replicas?.BackupCounts().Count ?? 0);
    }

    /// <summary>On SIGTERM or Ctrl+C: stop taking requests, leave the cluster gracefully, then stop the actors.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _stopping, true);
        _ready = false;
        LogStopping(Route);
        if (_events is not null)
        {
            await _events.DisposeAsync().ConfigureAwait(false);
            await _leaveWatch.ConfigureAwait(false);
        }

        await DrainAsync(cancellationToken).ConfigureAwait(false);
        await Cluster.LeaveAsync(cancellationToken).ConfigureAwait(false);
        await Cluster.DisposeAsync().ConfigureAwait(false);
        // Not the host's token: it may already be cancelled (shutdown timeout), and the actors must stop regardless.
        await _system.TerminateAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Hands every shard this node hosts to the other workers, with their sessions, and waits until it holds
    /// none, so that leaving loses nothing. Skipped when no other worker could take the shards; given up when no shard
    /// has moved for a hand-off timeout and two rebalance rounds (every worker stopping at once).</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        if (_region is not { } region || !HostsShards || Cluster.ShutDownReason is not null)
        {
            return;
        }

        try
        {
            var state = await Cluster.GetStateAsync(cancellationToken).ConfigureAwait(false);
            var others = state.Members.Count(member =>
                member.Status == Membership.MemberStatus.Up && member.HasRole(CoordinatorPlacement.WorkerRole) && !member.UniqueAddress.Equals(Cluster.Self));
            if (others == 0)
            {
                LogDrainSkipped(Route);
                return;
            }

            var status = await region.Ask<RegionDrainStatus>(new DrainRegionCommand(true), TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);

            // Give up when nothing has moved for a whole hand-off timeout and two rebalance rounds: the other workers
            // are draining too (a whole cluster being stopped) or cannot take the shards, and waiting longer would
            // only run into the host's shutdown timeout.
            var patience = Settings.Sharding.HandOffTimeout + Settings.Sharding.RebalanceInterval * 2;
            var lastProgress = TimeProvider.System.GetUtcNow();
            while (!status.HoldsNothing && TimeProvider.System.GetUtcNow() - lastProgress < patience)
            {
                await Task.Delay(Settings.Sharding.RetryInterval / 5, cancellationToken).ConfigureAwait(false);
                var next = await region.Ask<RegionDrainStatus>(GetRegionDrainStatus.Instance, TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
                if (next.HeldShards < status.HeldShards)
                {
                    lastProgress = TimeProvider.System.GetUtcNow();
                }

                status = next;
            }

            if (status.HoldsNothing)
            {
                LogDrained(Route);
            }
            else
            {
                LogDrainGaveUp(Route, status.HeldShards);
            }
        }
        catch (Exception exception) when (exception is AskTimeoutException or ActorTerminatedException or OperationCanceledException)
        {
            LogDrainIncomplete(Route, exception.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _ready = false;
        Interlocked.Exchange(ref _gauges, null)?.Dispose();
        await Cluster.DisposeAsync().ConfigureAwait(false);
        await _system.TerminateAsync().ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Route} started with roles {Roles}")]
    private partial void LogStarted(string route, string roles);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Route}: no other worker to take its shards; leaving without a hand-off")]
    private partial void LogDrainSkipped(string route);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Route} drained its shards (complete: True)")]
    private partial void LogDrained(string route);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Route} leaves with {Held} shards it could not hand off: no other worker took them (is the whole cluster stopping?)")]
    private partial void LogDrainGaveUp(string route, int held);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Route} could not finish draining: {Reason}")]
    private partial void LogDrainIncomplete(string route, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Route} was told to leave the cluster; stopping gracefully (hand-off, leave, exit)")]
    private partial void LogToldToLeave(string route);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Route} stopping")]
    private partial void LogStopping(string route);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Route} shutting down: not ready, still serving for {Seconds} s (http.shutdown-delay), each connection closed after its response")]
    private partial void LogLameDuck(string route, double seconds);
}
