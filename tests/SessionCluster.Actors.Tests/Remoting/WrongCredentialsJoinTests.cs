using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Remoting.Wire;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Remoting;

/// <summary>Real session nodes in this process: a node with another secret, cluster name or protocol version keeps
/// trying to join through its seed, and is refused at every handshake, so it never becomes a member and the cluster
/// never hears a single message of it; both sides say why in their logs.</summary>
public sealed class WrongCredentialsJoinTests : IAsyncLifetime
{
    private const string Secret = "the-cluster-secret";
    private readonly List<SessionNode> _nodes = [];
    private readonly ManualTimeProvider _clock = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("secret", HandshakeRejectReason.Secret)]
    [InlineData("no-secret", HandshakeRejectReason.Secret)]
    [InlineData("cluster-name", HandshakeRejectReason.ClusterName)]
    [InlineData("protocol-version", HandshakeRejectReason.ProtocolVersion)]
    public async Task A_node_with_a_mismatch_cannot_join_and_both_sides_log_why(string mismatch, HandshakeRejectReason reason)
    {
        var seedLog = new CapturingLoggerFactory();
        var intruderLog = new CapturingLoggerFactory();
        var seed = await StartAsync("seed", seedAddress: null, seedLog, remote => remote);
        var intruder = await StartAsync("intruder", seed.Cluster.Self.Address, intruderLog, remote => mismatch switch
        {
            "secret" => remote with { Secret = "a-guess" },
            "no-secret" => remote with { Secret = string.Empty },
            "cluster-name" => remote with { ClusterName = "other-cluster" },
            _ => remote with { ProtocolVersion = RemoteSettings.CurrentProtocolVersion + 1 },
        }, clusterName: mismatch == "cluster-name" ? "other-cluster" : null);

        // The intruder asks the seed again every seed-retry-interval: wait for three refusals, so that several join
        // attempts (not just the first) have been made and refused.
        await Eventually.True(
            () => seedLog.Log.Entries.Count(e => e.Event.Id == 307 && e.Message.Contains(reason.ToString())) >= 3,
            $"the seed refuses the intruder's handshakes ({reason}) and logs each");
        await Eventually.True(
            () => intruderLog.Log.Entries.Any(e => e.Event.Id is 304 or 305 && e.Message.Contains($"handshake refused ({reason})")),
            $"the intruder logs that the seed refused its handshake ({reason})");

        var seedState = await seed.Cluster.GetStateAsync(default);
        Assert.Equal(seed.Cluster.Self, Assert.Single(seedState.Members).UniqueAddress);
        var intruderState = await intruder.Cluster.GetStateAsync(default);
        Assert.DoesNotContain(intruderState.Members, member => member.UniqueAddress.Equals(seed.Cluster.Self));
        Assert.DoesNotContain(seedLog.Log.Entries, e => e.Event.Id == 306 && e.Message.Contains(intruder.Cluster.Self.ToString()));
    }

    private async Task<SessionNode> StartAsync(
        string route, NodeAddress? seedAddress, CapturingLoggerFactory log, Func<RemoteSettings, RemoteSettings> remote, string? clusterName = null)
    {
        var defaults = SessionClusterSettings.Default;
        var cluster = defaults.Cluster with { SeedNodes = seedAddress is null ? [] : [seedAddress] };
        if (clusterName is not null)
        {
            cluster = cluster with { ClusterName = clusterName };
        }

        var settings = defaults with { Remote = remote(defaults.Remote with { Secret = Secret }), Cluster = cluster };
        var node = new SessionNode(settings, route, _clock, log);
        _nodes.Add(node);
        await node.StartAsync(default);
        return node;
    }
}
