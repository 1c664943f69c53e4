using Microsoft.Extensions.Logging.Abstractions;
using SessionCluster.Actors.Hosting;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>Real session nodes in this process over TCP on loopback, sharing one manual session clock; disposed with the test.</summary>
internal sealed class InProcessNodes : IAsyncDisposable
{
    private readonly List<SessionNode> _nodes = [];

    /// <summary>The session clock every node runs on (the cluster protocols use the real clock).</summary>
    public ManualTimeProvider Clock { get; } = new();

    /// <summary>Starts a node with the reference settings, seeded by <paramref name="seed"/> (none: it forms the cluster),
    /// after <paramref name="configure"/> changed what the test needs; its log goes to <paramref name="logs"/> (nowhere if null).</summary>
    public async Task<SessionNode> StartAsync(
        string route, SessionNode? seed, Func<SessionClusterSettings, SessionClusterSettings>? configure = null, Microsoft.Extensions.Logging.ILoggerFactory? logs = null)
    {
        var defaults = SessionClusterSettings.Default;
        var settings = defaults with { Cluster = defaults.Cluster with { SeedNodes = seed is null ? [] : [seed.Cluster.Self.Address] } };
        var node = new SessionNode(configure?.Invoke(settings) ?? settings, route, Clock, logs ?? NullLoggerFactory.Instance);
        _nodes.Add(node);
        await node.StartAsync(default);
        return node;
    }

    /// <summary>Shards this node serves right now.</summary>
    public static int Serving(SessionNode node) => node.LocalShards.Counts().Count(count => count.Serving);

    /// <summary>Sessions in the shards this node holds.</summary>
    public static int Sessions(SessionNode node) => node.LocalShards.SessionCount();

    /// <summary>Backup copies this node holds whole.</summary>
    public static int WholeCopies(SessionNode node) => node.Replicas!.BackupCounts().Count(copy => copy.Whole);

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }
}
