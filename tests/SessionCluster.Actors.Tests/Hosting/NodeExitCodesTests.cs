using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Tests.Sharding;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Hosting;

/// <summary>A node's exit code tells a supervisor whether the cluster put it out (3: start it again) or it stopped as
/// asked (0): real nodes on loopback, one downed, one leaving.</summary>
public sealed class NodeExitCodesTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly InProcessNodes _nodes = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    [Fact]
    public async Task A_node_downed_by_another_is_shut_out_and_exits_3_while_the_one_that_downed_it_would_exit_0()
    {
        var seed = await _nodes.StartAsync("seed", seed: null);
        var downed = await _nodes.StartAsync("downed", seed);
        await Eventually.True(async () => (await seed.Cluster.GetStateAsync(default)).Members.Length == 2, "the second node joined", Deadline);
        Assert.Equal(NodeExitCodes.Stopped, NodeExitCodes.AfterRun(downed.Cluster));

        await seed.Cluster.DownAsync(downed.Cluster.Self.Address, default);

        await Eventually.True(() => downed.Cluster.ShutDownReason is not null, "the downed node learns it is out", Deadline);
        Assert.True(downed.Cluster.WasShutOut, $"shut out: {downed.Cluster.ShutDownReason}");
        Assert.Equal(NodeExitCodes.ShutOut, NodeExitCodes.AfterRun(downed.Cluster));
        Assert.False(seed.Cluster.WasShutOut);
        Assert.Equal(NodeExitCodes.Stopped, NodeExitCodes.AfterRun(seed.Cluster));
    }

    [Fact]
    public async Task A_node_that_leaves_as_asked_is_not_shut_out_and_exits_0()
    {
        var seed = await _nodes.StartAsync("seed", seed: null);
        var leaver = await _nodes.StartAsync("leaver", seed);
        await Eventually.True(async () => (await seed.Cluster.GetStateAsync(default)).Members.Length == 2, "the second node joined", Deadline);

        await leaver.Cluster.LeaveAsync(default);

        await Eventually.True(() => leaver.Cluster.ShutDownReason is not null, "the leaver is out", Deadline);
        Assert.False(leaver.Cluster.WasShutOut, $"left as asked: {leaver.Cluster.ShutDownReason}");
        Assert.Equal(NodeExitCodes.Stopped, NodeExitCodes.AfterRun(leaver.Cluster));
    }
}
