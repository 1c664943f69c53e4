using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.TestKit;
using Xunit.Abstractions;
using static SessionCluster.Actors.Tests.Membership.FailureSimulationTests;

namespace SessionCluster.Actors.Tests.Membership;

/// <summary>A crashed process on a live host (its address refuses connections) against a partitioned one (silence),
/// in a 5-node simulation: each takes its own path, and the phases happen exactly when the settings say.</summary>
public sealed class RefusedConnectionSimulationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly ClusterSettings Settings = ClusterSettings.Default;
    private static readonly TimeSpan StableAfter = Settings.SplitBrain.StableAfter;
    private static readonly TimeSpan StableAfterRefused = Settings.SplitBrain.StableAfterRefused;
    private static readonly TimeSpan Tick = Settings.TickInterval;

    // The first message to the dead node leaves within a heartbeat interval and its refusal takes a 1–2 ms link;
    // RunUntil sees it at the end of its 10 ms step.
    private static readonly TimeSpan RefusalAtMost = Settings.HeartbeatInterval + TimeSpan.FromMilliseconds(10);

    [Theory]
    [InlineData(101)]
    [InlineData(102)]
    [InlineData(103)]
    public async Task CrashedProcess_DownedAndRemovedWellUnderASecond_ThenAPartitionedNode_TakesTheDetectorAndFullStableAfter(int seed)
    {
        var (simulation, nodes, leader) = await FiveNodes(seed);
        var crashed = nodes.Last(node => node != leader);
        var isolated = nodes.First(node => node != leader && node != crashed);
        var majority = nodes.Where(node => node != crashed && node != isolated).ToList();
        simulation.AddInvariant(() => majority.Any(node => node.IsRunning && node.Machine.Gossip.RefusedUnreachable.Contains(isolated.Self))
            ? $"{isolated.Self}, only partitioned off, is counted as refused"
            : null);

        // Phase 1: the crash meets a refused connection within a heartbeat interval.
        var crashedAt = simulation.Elapsed;
        simulation.Crash(crashed.Address);
        var refused = simulation.RunUntil(
            () => nodes.Any(node => node.Machine.Gossip.RefusedUnreachable.Contains(crashed.Self)), Timeout, $"{crashed.Self} refused");
        Assert.True(refused <= RefusalAtMost, $"refusal after {refused}");

        // Phase 2: the leader downs it stable-after-refused after it became unreachable in the leader's view.
        simulation.RunUntil(() => Decided(leader, crashed.Self) is not null, Timeout, $"the leader downs {crashed.Self}");
        AssertDecidedWithin(leader, crashed.Self, StableAfterRefused);

        // Phase 3: removed everywhere, well under a second after the crash.
        var survivors = nodes.Where(node => node != crashed).ToList();
        simulation.RunUntil(() => survivors.All(node => node.SeesAllUp(4)), Timeout, $"{crashed.Self} removed on every survivor");
        var removed = simulation.Elapsed - crashedAt;
        output.WriteLine($"seed {seed}: crash refused after {refused.TotalMilliseconds} ms, removed on all after {removed.TotalMilliseconds} ms virtual");
        Assert.True(removed < TimeSpan.FromSeconds(1), $"removed after {removed}");
        AssertPhases(leader, crashed.Self);

        // Phase 4: a partition gives silence: the detector, not a refusal, finds it (~1.2 s).
        var partitionedAt = simulation.Elapsed;
        simulation.Partition([isolated.Address], [.. majority.Select(node => node.Address)]);
        var detected = simulation.RunUntil(() => leader.Machine.Gossip.Unreachable.Contains(isolated.Self), Timeout, $"{isolated.Self} unreachable");
        Assert.InRange(detected, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

        // Phase 5: the full stable-after, then the usual ending: it downs itself, the majority removes it.
        simulation.RunUntil(
            () => !isolated.IsRunning && majority.All(node => node.SeesAllUp(3)), Timeout, $"{isolated.Self} downed and removed");
        AssertDecidedWithin(leader, isolated.Self, StableAfter);
        AssertPhases(leader, isolated.Self);
        Assert.Equal("downed", isolated.ShutDownReason);
        output.WriteLine($"seed {seed}: partition detected after {detected.TotalMilliseconds} ms, resolved after " +
                         $"{(simulation.Elapsed - partitionedAt).TotalMilliseconds} ms virtual");
    }

    [Theory]
    [InlineData(111)]
    [InlineData(112)]
    public async Task CrashWhileAnotherMemberIsPartitionedOff_MixedEvidence_BothDownedTogetherAfterTheFullStableAfter(int seed)
    {
        var (simulation, nodes, leader) = await FiveNodes(seed);
        var others = nodes.Where(node => node != leader).ToList();
        var (isolated, crashed) = (others[0], others[1]);

        simulation.Partition([isolated.Address], [.. nodes.Where(node => node != isolated).Select(node => node.Address)]);
        simulation.RunUntil(() => leader.Machine.Gossip.Unreachable.Contains(isolated.Self), Timeout, $"{isolated.Self} unreachable");
        simulation.RunFor(StableAfter / 2);
        simulation.Crash(crashed.Address);
        simulation.RunUntil(() => Decided(leader, crashed.Self) is not null, Timeout, "the leader decides");

        var decided = Decided(leader, crashed.Self)!;
        Assert.Equal(new[] { crashed.Self, isolated.Self }.Order(), decided.Downed.Order());
        Assert.Contains(crashed.Self, leader.Machine.Gossip.RefusedUnreachable);
        AssertDecidedWithin(leader, crashed.Self, StableAfter);
    }

    [Theory]
    [InlineData(121)]
    [InlineData(122)]
    public async Task Crash_TheLeaderGetsNoRefusalItself_UsesTheRefusalsGossipedByOthers(int seed)
    {
        var (simulation, nodes, leader) = await FiveNodes(seed);
        var crashed = nodes.Last(node => node != leader);

        // What the leader sends to the dead node vanishes (a black hole one way), so only the others see refusals.
        simulation.Network.PartitionOneWay([leader.Address], [crashed.Address]);
        simulation.Crash(crashed.Address);
        var took = simulation.RunUntil(() => Decided(leader, crashed.Self) is not null, Timeout, $"the leader downs {crashed.Self}");

        Assert.DoesNotContain(crashed.Self, leader.Machine.Gossip.Reachability.RefusedBy(leader.Self));
        Assert.True(took < TimeSpan.FromSeconds(1), $"decided after {took}: the leader's own detector would need ~1.2 s");
        AssertDecidedWithin(leader, crashed.Self, StableAfterRefused);
    }

    [Theory]
    [InlineData(131)]
    [InlineData(132)]
    public async Task Crash_ThenARestartOnTheSameAddress_OldIncarnationDowned_NewOneJoinsAndIsNeverDowned(int seed)
    {
        var (simulation, nodes) = await FormedCluster(seed, 5);
        var crashed = nodes[4];
        simulation.Crash(crashed.Address);
        simulation.RunUntil(() => nodes.Any(node => node.Machine.Gossip.RefusedUnreachable.Contains(crashed.Self)), Timeout, $"{crashed.Self} refused");

        var reborn = await simulation.StartAsync(crashed.Address, [ClusterSimulation.AddressOf(0), ClusterSimulation.AddressOf(1)]);
        var everyone = nodes.Where(node => node != crashed).Append(reborn).ToList();
        simulation.RunUntil(() => everyone.All(node => node.SeesAllUp(5)), Timeout, $"{reborn.Self} Up everywhere");
        simulation.RunFor(TimeSpan.FromSeconds(3));

        Assert.All(everyone, node =>
        {
            Assert.True(node.SeesAllUp(5), $"{node.Self} still sees all 5 Up");
            Assert.DoesNotContain(node.Events, entry => entry.Event is MemberDowned d && d.Member.UniqueAddress == reborn.Self);
        });
        Assert.All(everyone.Where(node => node != reborn), node =>
            Assert.Contains(node.Events, entry => entry.Event is MemberRemoved r && r.Member.UniqueAddress == crashed.Self));
    }

    private static async Task<(ClusterSimulation Simulation, IReadOnlyList<SimulatedNode> Nodes, SimulatedNode Leader)> FiveNodes(int seed)
    {
        var (simulation, nodes) = await FormedCluster(seed, 5);
        return (simulation, nodes, nodes.Single(node => node.Machine.IsLeader));
    }

    /// <summary>The leader's decision that downed <paramref name="node"/>, or null.</summary>
    private static DowningDecided? Decided(SimulatedNode leader, UniqueAddress node) =>
        leader.Events.Select(entry => entry.Event).OfType<DowningDecided>().FirstOrDefault(decided => decided.Downed.Contains(node));

    /// <summary>The decision came <paramref name="window"/> (to one tick more) after the leader's view last changed
    /// its unreachable set: the resolver's clock, which here only that member's arrival moved.</summary>
    private static void AssertDecidedWithin(SimulatedNode leader, UniqueAddress node, TimeSpan window)
    {
        var decidedAt = leader.Events.First(entry => entry.Event is DowningDecided decided && decided.Downed.Contains(node)).At;
        var lastChange = leader.Events.Last(entry => entry.At <= decidedAt && entry.Event is UnreachableMember).At;
        Assert.InRange(decidedAt - lastChange, window, window + Tick);
    }

    /// <summary>In the leader's events, <paramref name="node"/> went unreachable, then a decision downed it, then it was
    /// Down, then removed, in that order and nothing else.</summary>
    private static void AssertPhases(SimulatedNode leader, UniqueAddress node)
    {
        var phases = leader.Events.Select(entry => entry.Event).Select(e => e switch
        {
            UnreachableMember u when u.Member.UniqueAddress == node => "unreachable",
            ReachableMember r when r.Member.UniqueAddress == node => "reachable",
            DowningDecided d when d.Downed.Contains(node) => "decided",
            MemberDowned d when d.Member.UniqueAddress == node => "down",
            MemberRemoved r when r.Member.UniqueAddress == node => "removed",
            _ => null,
        }).OfType<string>();
        Assert.Equal(["unreachable", "decided", "down", "removed"], phases);
    }
}
