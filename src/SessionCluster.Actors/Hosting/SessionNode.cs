using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SessionCluster.Actors.Runtime;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Actors.Hosting;

/// <summary>One node's session service: its actor system and session region, started and stopped with the host.</summary>
public sealed partial class SessionNode : IHostedService, IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly ILogger<SessionNode> _logger;
    private volatile bool _ready;
    private volatile bool _stopping;

    public SessionNode(SessionClusterSettings settings, string route, TimeProvider timeProvider, ILoggerFactory loggerFactory, IHostApplicationLifetime? lifetime = null)
    {
        Settings = settings;
        Route = route;
        _logger = loggerFactory.CreateLogger<SessionNode>();
        _system = new ActorSystem(route, timeProvider, loggerFactory);
        var directory = new SessionDirectory();
        Region = _system.ActorOf(Props.Create(() => new SessionRegion(settings.Sessions, route, directory)), "sessions");
        Client = new SessionClient(Region, directory, settings.Sessions);
        Cluster = new ClusterNode(settings, TimeProvider.System, loggerFactory);

        // Out of the cluster means out of service: a downed node must not keep serving as if nothing happened.
        Cluster.ShutDown += _ =>
        {
            _ready = false;
            if (!_stopping)
            {
                lifetime?.StopApplication();
            }
        };
    }

    /// <summary>This node's cluster membership.</summary>
    public ClusterNode Cluster { get; }

    public SessionClusterSettings Settings { get; }

    /// <summary>This node's route name, the suffix of the session cookies it issues.</summary>
    public string Route { get; }

    public ActorRef Region { get; }

    public SessionClient Client { get; }

    public ActorSystem System => _system;

    /// <summary>True between start and the beginning of shutdown: the node takes requests.</summary>
    public bool IsReady => _ready;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await Cluster.StartAsync(cancellationToken).ConfigureAwait(false);
        _ready = true;
        LogStarted(Route, string.Join(",", Settings.Node.Roles));
    }

    /// <summary>On SIGTERM or Ctrl+C: stop taking requests, leave the cluster gracefully, then stop the actors.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _ready = false;
        LogStopping(Route);
        await Cluster.LeaveAsync(cancellationToken).ConfigureAwait(false);
        await Cluster.DisposeAsync().ConfigureAwait(false);
        await _system.TerminateAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _ready = false;
        await Cluster.DisposeAsync().ConfigureAwait(false);
        await _system.TerminateAsync().ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Route} started with roles {Roles}")]
    private partial void LogStarted(string route, string roles);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Route} stopping")]
    private partial void LogStopping(string route);
}
