using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.TestKit;
using Xunit.Abstractions;

namespace SessionCluster.Actors.Tests.Membership;

public sealed class InstabilitySimulationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(101)]
    [InlineData(102)]
    public async Task FlappingLink_CutShorterThanDetection_NobodyDowned(int seed)
    {
        var (simulation, nodes) = await FailureSimulationTests.FormedCluster(seed, 5);
        var (a, b) = (nodes[1].Address, nodes[3].Address);

        for (var flap = 0; flap < 30; flap++)
        {
            simulation.Partition([a], [b]);
            simulation.RunFor(TimeSpan.FromMilliseconds(700));
            simulation.Heal();
            simulation.RunFor(TimeSpan.FromMilliseconds(700));
        }

        simulation.RunUntil(() => nodes.All(node => node.SeesAllUp(5)), Timeout, "all Up after the flapping stops");
        Assert.All(nodes, node => Assert.DoesNotContain(node.Events, entry => entry.Event is MemberDowned or DowningDecided));
    }

    [Theory]
    [InlineData(103, 1600)]
    [InlineData(104, 1600)]
    [InlineData(107, 2600)]
    [InlineData(108, 2600)]
    public async Task FlappingLink_CutLongerThanDetection_NoSplitAndClusterStaysConsistent(int seed, int cutMilliseconds)
    {
        var (simulation, nodes) = await FailureSimulationTests.FormedCluster(seed, 5);
        var (a, b) = (nodes[1].Address, nodes[3].Address);

        for (var flap = 0; flap < 10; flap++)
        {
            simulation.Partition([a], [b]);
            simulation.RunFor(TimeSpan.FromMilliseconds(cutMilliseconds));
            simulation.Heal();
            simulation.RunFor(TimeSpan.FromMilliseconds(600));
        }

        simulation.RunFor(TimeSpan.FromSeconds(10));
        var running = simulation.Running;
        var decisions = nodes.SelectMany(node => node.Events.Select(entry => entry.Event).OfType<DowningDecided>().Select(d => $"{node.Self}: {d.Decision} [{string.Join(", ", d.Downed)}]")).ToList();
        output.WriteLine($"seed {seed}: running {running.Count}: {string.Join(", ", running.Select(node => node.Address))}; decisions: {string.Join(" | ", decisions)}");

        // Whatever was decided, the survivors form one cluster that agrees, with everyone Up and reachable.
        Assert.All(running, node => Assert.True(node.SeesAllUp(running.Count), node.ToString()));
        Assert.Single(running.Select(node => node.Machine.Leader).Distinct());
    }

    [Theory]
    [InlineData(105)]
    [InlineData(106)]
    public async Task UnreachabilityNeverStable_DownAllWhenUnstable_EveryoneStopsAndNoSplit(int seed)
    {
        // A 1 s margin ("on"), so that this flapping pattern, which leaves no window of stable-after, triggers it.
        var settings = ClusterSettings.Default with { SplitBrain = ClusterSettings.Default.SplitBrain with { DownAllWhenUnstable = TimeSpan.FromSeconds(1) } };
        var (simulation, nodes) = await FailureSimulationTests.FormedCluster(seed, 5, settings);
        var addresses = nodes.Select(node => node.Address).ToList();
        IReadOnlyCollection<NodeAddress> AllBut(NodeAddress address) => [.. addresses.Where(a => a != address)];

        // node-04 is cut off for good, so the unreachable set is never empty; node-02 and node-03 are cut for 1.6 s
        // and back for 0.6 s, half a cycle apart, so the set changes every ~0.6 s and is never stable for stable-after.
        simulation.Partition([addresses[4]], AllBut(addresses[4]));
        var cycle = TimeSpan.FromMilliseconds(2200);
        var half = cycle / 2;
        var cut = TimeSpan.FromMilliseconds(1600);
        for (var t = TimeSpan.Zero; t < TimeSpan.FromSeconds(12); t += TimeSpan.FromMilliseconds(100))
        {
            foreach (var (flapper, offset) in new[] { (addresses[3], TimeSpan.Zero), (addresses[2], half) })
            {
                var phase = (t - offset + cycle).Ticks % cycle.Ticks;
                if (t >= offset && phase == 0)
                {
                    simulation.Partition([flapper], AllBut(flapper).Where(a => a != addresses[4]).ToList());
                }
                else if (t >= offset && phase == cut.Ticks)
                {
                    simulation.Reconnect([flapper], AllBut(flapper).Where(a => a != addresses[4]).ToList());
                }
            }

            simulation.RunFor(TimeSpan.FromMilliseconds(100));
        }

        var decisions = nodes.SelectMany(node => node.Events.Select(entry => entry.Event).OfType<DowningDecided>()).ToList();
        output.WriteLine($"seed {seed}: decisions {string.Join(" | ", decisions.Select(d => $"{d.Decision} [{string.Join(", ", d.Downed)}]"))}; running {simulation.Running.Count}");
        Assert.Contains(decisions, decision => decision.Decision == DowningDecision.DownAll);
        Assert.Empty(simulation.Running);
    }

    [Fact]
    public async Task FiftyNodes_JoinThroughThreeSeeds_ConvergeThenSurviveACrash()
    {
        var simulation = new ClusterSimulation(seed: 111);
        var nodes = await simulation.StartClusterAsync(50, seedCount: 3);

        var joined = simulation.RunUntil(() => nodes.All(node => node.SeesAllUp(50)) && nodes.All(node => node.Machine.IsConverged), TimeSpan.FromMinutes(2), "50 nodes Up");
        var joinRounds = simulation.GossipRounds;
        output.WriteLine($"50 nodes joined and converged in {joined.TotalMilliseconds} ms virtual; {joinRounds} gossip rounds in total " +
                         $"({joined / simulation.Settings.GossipInterval:0} rounds per node); {simulation.Network.Sent} messages");

        simulation.RunFor(TimeSpan.FromSeconds(2));
        var victim = nodes[17];
        var survivors = nodes.Where(node => node != victim).ToList();
        var roundsBefore = simulation.GossipRounds;
        simulation.Crash(victim.Address);
        var removed = simulation.RunUntil(() => survivors.All(node => node.SeesAllUp(49)), TimeSpan.FromMinutes(1), "crashed node removed on all 49 survivors");
        output.WriteLine($"crash to removal on all 49 survivors: {removed.TotalMilliseconds} ms virtual, {simulation.GossipRounds - roundsBefore} gossip rounds in total");

        Assert.All(nodes.Where(node => node != victim), node => Assert.True(node.Machine.MonitoredNodes.Count <= 6, $"{node.Self} monitors {node.Machine.MonitoredNodes.Count}"));
        Assert.Single(survivors.Select(node => node.Machine.Leader).Distinct());
    }
}
