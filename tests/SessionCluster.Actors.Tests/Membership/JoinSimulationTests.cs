using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.TestKit;
using Xunit.Abstractions;

namespace SessionCluster.Actors.Tests.Membership;

public sealed class JoinSimulationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task FiveNodes_JoinThroughSeeds_AllUpWithOneLeader(int seed)
    {
        var simulation = new ClusterSimulation(seed);
        var nodes = await simulation.StartClusterAsync(5, seedCount: 2);

        var took = simulation.RunUntil(() => nodes.All(node => node.SeesAllUp(5)) && nodes.All(node => node.Machine.IsConverged), Timeout, "5 nodes all Up and converged");

        output.WriteLine($"seed {seed}: converged after {took.TotalMilliseconds} ms virtual, {simulation.GossipRounds} gossip rounds, {simulation.Network.Sent} messages");
        var leaders = nodes.Select(node => node.Machine.Leader).Distinct().ToList();
        Assert.Equal(nodes.Min(node => node.Self), Assert.Single(leaders));
        Assert.All(nodes, node => Assert.Equal(MemberStatus.Up, node.Machine.SelfStatus));
        Assert.Equal(Enumerable.Range(1, 5), nodes[0].Machine.Gossip.Members.Values.Select(member => member.UpNumber).Order());
    }
}
