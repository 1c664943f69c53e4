using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Runtime;

namespace SessionCluster.Lighthouse;

/// <summary>The seed node's service: an actor system with role <c>lighthouse</c> and no sessions.</summary>
/// <remarks>Gossip membership (issue 3) will run here; until then the node starts, reports and stops cleanly.</remarks>
internal sealed partial class LighthouseNode(SessionClusterSettings settings, ILoggerFactory loggerFactory, ILogger<LighthouseNode> logger)
    : IHostedService
{
    private ActorSystem? _system;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _system = new ActorSystem("lighthouse", TimeProvider.System, loggerFactory);
        LogStarted(string.Join(",", settings.Node.Roles));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_system is not null)
        {
            await _system.TerminateAsync(cancellationToken);
        }

        LogStopped();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Lighthouse started with roles {Roles}")]
    private partial void LogStarted(string roles);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lighthouse stopped")]
    private partial void LogStopped();
}
