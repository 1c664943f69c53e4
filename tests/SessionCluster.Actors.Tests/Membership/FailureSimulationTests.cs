using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.TestKit;
using Xunit.Abstractions;

namespace SessionCluster.Actors.Tests.Membership;

public sealed class FailureSimulationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    // A crashed process on a live host is found by the refused connection (see RefusedConnectionSimulationTests);
    // a host that vanishes is found by silence. Both must end the same way, at their own pace.
    [Theory]
    [InlineData(11, false)]
    [InlineData(12, false)]
    [InlineData(13, false)]
    [InlineData(14, true)]
    [InlineData(15, true)]
    [InlineData(16, true)]
    public async Task Crash_OneOfFive_UnreachableThenDownedThenRemovedOnAllSurvivors(int seed, bool hostLost)
    {
        var (simulation, nodes) = await FormedCluster(seed, 5);
        var victim = nodes[3];
        var survivors = nodes.Where(node => node != victim).ToList();

        Kill(simulation, victim.Address, hostLost);
        var took = simulation.RunUntil(
            () => survivors.All(node => node.SeesAllUp(4)),
            Timeout,
            $"{victim.Self} removed on every survivor");

        output.WriteLine($"seed {seed}: {(hostLost ? "host lost" : "process crashed")}, to removal on all survivors {took.TotalMilliseconds} ms virtual");
        Assert.All(survivors, node =>
        {
            var events = node.Events.Select(entry => entry.Event).ToList();
            Assert.Contains(events, e => e is UnreachableMember u && u.Member.UniqueAddress == victim.Self);
            Assert.Contains(events, e => e is MemberDowned d && d.Member.UniqueAddress == victim.Self);
            Assert.Contains(events, e => e is MemberRemoved r && r.Member.UniqueAddress == victim.Self && r.PreviousStatus == MemberStatus.Down);
            Assert.True(node.IsRunning);
        });
        if (hostLost)
        {
            Assert.InRange(took, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(4));   // detector ~1.2 s + stable-after 1 s
        }
        else
        {
            Assert.InRange(took, TimeSpan.FromSeconds(0.3), TimeSpan.FromSeconds(1));   // refusal + stable-after-refused + margin
        }
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 3)]
    public async Task Crash_ToRemovalOnAllSurvivors_MedianOverElevenSeeds(bool hostLost, double medianAtMostSeconds)
    {
        var times = new List<TimeSpan>();
        for (var seed = 1000; seed < 1011; seed++)
        {
            var (simulation, nodes) = await FormedCluster(seed, 5);
            var victim = nodes[seed % 5];
            var survivors = nodes.Where(node => node != victim).ToList();
            Kill(simulation, victim.Address, hostLost);
            times.Add(simulation.RunUntil(() => survivors.All(node => node.SeesAllUp(4)), Timeout, $"{victim.Self} removed"));
        }

        times.Sort();
        output.WriteLine($"{(hostLost ? "host lost" : "process crashed")}, to removal on all survivors: median {times[5].TotalMilliseconds} ms, " +
                         $"min {times[0].TotalMilliseconds} ms, max {times[^1].TotalMilliseconds} ms virtual");
        Assert.True(times[5] <= TimeSpan.FromSeconds(medianAtMostSeconds), $"median {times[5]}");
    }

    [Fact]
    public async Task Simulation_SameSeed_ReplaysExactly()
    {
        static async Task<List<string>> Run(int seed)
        {
            var (simulation, nodes) = await FormedCluster(seed, 5);
            simulation.Network.SetDefaultFaults(new LinkFaults(DropRate: 0.05, DuplicateRate: 0.05, MaxDelay: TimeSpan.FromMilliseconds(5)));
            simulation.Partition([nodes[0].Address], [.. nodes.Skip(1).Select(node => node.Address)]);
            simulation.RunFor(TimeSpan.FromSeconds(6));
            return [.. simulation.AllIncarnations.SelectMany(node => node.Events.Select(entry => $"{entry.At:O} {node.Self} {entry.Event}"))];
        }

        var first = await Run(7);
        var again = await Run(7);

        Assert.Equal(first, again);
        Assert.NotEqual(first, await Run(8));
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public async Task Crash_OfTheLeader_NextLowestAddressTakesOver(int seed)
    {
        var (simulation, nodes) = await FormedCluster(seed, 5);
        var leader = nodes.Single(node => node.Machine.IsLeader);
        var survivors = nodes.Where(node => node != leader).ToList();

        simulation.Crash(leader.Address);
        simulation.RunUntil(() => survivors.All(node => node.SeesAllUp(4)), Timeout, "old leader removed");

        var expected = survivors.Min(node => node.Self);
        Assert.All(survivors, node => Assert.Equal(expected, node.Machine.Leader));
    }

    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    public async Task MessageLoss_TenPercentForTenMinutes_NoFalseDowning(int seed)
    {
        var (simulation, nodes) = await FormedCluster(seed, 5);
        simulation.Network.SetDefaultFaults(new LinkFaults(DropRate: 0.1, MinDelay: TimeSpan.FromMilliseconds(1), MaxDelay: TimeSpan.FromMilliseconds(5)));
        simulation.StepSize = TimeSpan.FromMilliseconds(50);

        simulation.RunFor(TimeSpan.FromMinutes(10));

        var unreachableEvents = nodes.Sum(node => node.Events.Count(entry => entry.Event is UnreachableMember));
        output.WriteLine($"seed {seed}: {simulation.Network.Sent} messages, {simulation.Network.Dropped} dropped, {unreachableEvents} unreachable observations");
        Assert.All(nodes, node =>
        {
            Assert.True(node.IsRunning, $"{node.Self} stopped: {node.ShutDownReason}");
            Assert.DoesNotContain(node.Events, entry => entry.Event is MemberDowned or MemberRemoved or DowningDecided);
            Assert.Equal(5, node.Machine.Gossip.Members.Count);
        });
    }

    [Theory]
    [InlineData(41)]
    [InlineData(42)]
    [InlineData(43)]
    public async Task Partition_ThreeTwo_KeepMajorityDownsMinorityAndMajorityRemovesIt(int seed)
    {
        var (simulation, nodes) = await FormedCluster(seed, 5);
        var majority = nodes.Take(3).ToList();
        var minority = nodes.Skip(3).ToList();

        simulation.Partition([.. majority.Select(node => node.Address)], [.. minority.Select(node => node.Address)]);
        var took = simulation.RunUntil(
            () => minority.All(node => !node.IsRunning) && majority.All(node => node.SeesAllUp(3)),
            Timeout,
            "minority shut down and majority removed it");

        output.WriteLine($"seed {seed}: partition resolved in {took.TotalMilliseconds} ms virtual");
        Assert.All(minority, node =>
        {
            Assert.Equal("downed", node.ShutDownReason);
            Assert.False(node.ShutDownLeft);
        });
        Assert.All(majority, node => Assert.True(node.IsRunning));
        simulation.Heal();
        simulation.RunFor(TimeSpan.FromSeconds(5));
        Assert.All(majority, node => Assert.True(node.SeesAllUp(3)));
        Assert.All(minority, node => Assert.False(node.IsRunning));
    }

    [Theory]
    [InlineData(51)]
    [InlineData(52)]
    public async Task Partition_TwoThreeWithLowestAddressInMinority_MajorityStillWins(int seed)
    {
        var (simulation, nodes) = await FormedCluster(seed, 5);
        var minority = nodes.Take(2).ToList();
        var majority = nodes.Skip(2).ToList();

        simulation.Partition([.. minority.Select(node => node.Address)], [.. majority.Select(node => node.Address)]);
        simulation.RunUntil(() => minority.All(node => !node.IsRunning) && majority.All(node => node.SeesAllUp(3)), Timeout, "minority (with the old leader) shut down");

        Assert.All(majority, node => Assert.Equal(majority.Min(n => n.Self), node.Machine.Leader));
    }

    [Theory]
    [InlineData(61)]
    [InlineData(62)]
    public async Task Partition_HealedBeforeStableAfter_NobodyDownedAndReachabilityRestored(int seed)
    {
        var (simulation, nodes) = await FormedCluster(seed, 5);
        var sideA = nodes.Take(3).Select(node => node.Address).ToList();
        var sideB = nodes.Skip(3).Select(node => node.Address).ToList();

        simulation.Partition(sideA, sideB);
        simulation.RunUntil(() => nodes.Any(node => !node.Machine.Gossip.Unreachable.IsEmpty), Timeout, "the partition is detected");
        simulation.RunFor(TimeSpan.FromMilliseconds(300));
        simulation.Heal();
        simulation.RunUntil(() => nodes.All(node => node.SeesAllUp(5)) && nodes.All(node => node.Machine.IsConverged), Timeout, "reachability restored everywhere");
        simulation.RunFor(TimeSpan.FromSeconds(5));

        Assert.All(nodes, node =>
        {
            Assert.True(node.IsRunning);
            Assert.Contains(node.Events, entry => entry.Event is UnreachableMember);
            Assert.Contains(node.Events, entry => entry.Event is ReachableMember);
            Assert.DoesNotContain(node.Events, entry => entry.Event is MemberDowned or DowningDecided);
        });
    }

    private static void Kill(ClusterSimulation simulation, NodeAddress victim, bool hostLost)
    {
        if (hostLost)
        {
            simulation.CrashHost(victim);
        }
        else
        {
            simulation.Crash(victim);
        }
    }

    internal static async Task<(ClusterSimulation Simulation, IReadOnlyList<SimulatedNode> Nodes)> FormedCluster(int seed, int count, ClusterSettings? settings = null)
    {
        var simulation = new ClusterSimulation(seed, settings);
        var nodes = await simulation.StartClusterAsync(count, seedCount: Math.Min(2, count));
        simulation.RunUntil(() => nodes.All(node => node.SeesAllUp(count)) && nodes.All(node => node.Machine.IsConverged), Timeout, $"{count} nodes Up");
        simulation.RunFor(TimeSpan.FromSeconds(2)); // Let heartbeat statistics settle, as a real cluster would have.
        return (simulation, nodes);
    }
}
