using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Runtime;
using SessionCluster.TestKit;
using SessionCluster.Web.Tests.Support;

namespace SessionCluster.Web.Tests;

/// <summary>A worker that sees itself Leaving without having asked (a leave order taken by another node, gossiped to
/// it) starts its graceful shutdown at once, the SIGTERM path that hands its shards off, instead of serving on until
/// the leader has moved it to Exiting and removed it.</summary>
/// <remarks>Two nodes in this process: with one alone, Leaving, Exiting and Removed follow within milliseconds and the
/// node stops as any removed node does, so the rule could not be told apart from that.</remarks>
public sealed class ToldToLeaveTests
{
    [Fact]
    public async Task Worker_MarkedLeavingByAnotherNode_LogsItAndBeginsItsGracefulShutdown()
    {
        await using var first = new WebNodeFactory();
        using var firstClient = first.CreateClient();
        var seed = first.Node.Cluster.Self.Address.ToString();
        var logs = new CapturedLogs();
        await using var secondFactory = WebNodeFactory.With(("session-cluster:cluster:seed-nodes", seed), ("session-cluster:node:route", "second"));
        await using var second = secondFactory.WithWebHostBuilder(builder => builder.ConfigureLogging(logging => logging.AddProvider(logs)));
        using var secondClient = second.CreateClient();
        var leaver = second.Services.GetRequiredService<SessionNode>();
        var lifetime = second.Services.GetRequiredService<IHostApplicationLifetime>();
        await Eventually.True(
            async () => (await first.Node.Cluster.GetStateAsync(default)).Members.Count(member => member.Status == MemberStatus.Up) == 2,
            "both nodes Up in the first node's view");

        // The order is taken by the first node, as POST /cluster/leave on it would do for a node that is not a worker.
        await first.Node.Cluster.Daemon.Ask<ClusterCommandAccepted>(new LeaveCluster(leaver.Cluster.Self.Address), TimeSpan.FromSeconds(5));

        await Eventually.True(() => logs.Contains("Node second was told to leave the cluster"), "the second node to log that it was told to leave");
        await Eventually.True(() => lifetime.ApplicationStopping.IsCancellationRequested, "the second node's host to begin its graceful shutdown");
    }

    /// <summary>Keeps every formatted log message, to look for one.</summary>
    private sealed class CapturedLogs : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _messages = new();

        public bool Contains(string fragment) => _messages.Any(message => message.Contains(fragment, StringComparison.Ordinal));

        public ILogger CreateLogger(string categoryName) => new Logger(_messages);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue(formatter(state, exception));
        }
    }
}
