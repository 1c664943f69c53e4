using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Management;

namespace SessionCluster.Lighthouse;

/// <summary>The seed node's service: an actor system whose only actor is the cluster daemon.</summary>
internal sealed partial class LighthouseNode : IHostedService, IAsyncDisposable
{
    private readonly ILogger<LighthouseNode> _logger;
    private readonly SessionClusterSettings _settings;
    private volatile bool _stopping;

    public LighthouseNode(SessionClusterSettings settings, ILoggerFactory loggerFactory, IHostApplicationLifetime lifetime, ILogger<LighthouseNode> logger)
    {
        _settings = settings;
        _logger = logger;
        Cluster = new ClusterNode(settings, TimeProvider.System, loggerFactory);
        Management = new NodeManagement(
            Cluster, settings, route: null, lifetime.StopApplication, static () => null, static () => NodeCounts.None, TimeProvider.System, loggerFactory);
        Cluster.ShutDown += _ =>
        {
            if (!_stopping)
            {
                lifetime.StopApplication();
            }
        };
    }

    public ClusterNode Cluster { get; }

    /// <summary>This node's management side: the actions and reads of the management API.</summary>
    public NodeManagement Management { get; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await Cluster.StartAsync(cancellationToken);
        LogStarted(Cluster.Self.ToString(), string.Join(",", _settings.Node.Roles));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        await Cluster.LeaveAsync(cancellationToken);
        await DisposeAsync();
        LogStopped();
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Lighthouse {Self} started with roles {Roles}")]
    private partial void LogStarted(string self, string roles);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lighthouse stopped")]
    private partial void LogStopped();
}
