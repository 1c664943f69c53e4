using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.TestKit;
using Xunit.Abstractions;

namespace SessionCluster.Actors.Tests.Membership;

public sealed class LifecycleSimulationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(71, 3)]
    [InlineData(72, 0)]
    public async Task Leave_Graceful_LeavingExitingRemovedSeenByAllAndNodeShutsDown(int seed, int leaverIndex)
    {
        var (simulation, nodes) = await FailureSimulationTests.FormedCluster(seed, 5);
        var leaver = nodes[leaverIndex];
        var others = nodes.Where(node => node != leaver).ToList();

        simulation.Leave(leaver.Address);
        var took = simulation.RunUntil(() => others.All(node => node.SeesAllUp(4)) && !leaver.IsRunning, Timeout, $"{leaver.Self} left");

        output.WriteLine($"seed {seed}: leave took {took.TotalMilliseconds} ms virtual");
        Assert.Equal("removed from the cluster", leaver.ShutDownReason);
        Assert.True(leaver.ShutDownLeft, "a graceful leave ends as one (logged at Information, not as a fault)");
        Assert.All(others, node =>
        {
            var mine = node.Events.Select(entry => entry.Event).OfType<MemberEvent>().Where(e => e.Member.UniqueAddress == leaver.Self).ToList();
            Assert.Contains(mine, e => e is MemberExited);
            Assert.Contains(mine, e => e is MemberRemoved { PreviousStatus: MemberStatus.Exiting });
            Assert.DoesNotContain(mine, e => e is MemberDowned);
        });
        var own = leaver.Events.Select(entry => entry.Event).OfType<MemberEvent>().Where(e => e.Member.UniqueAddress == leaver.Self).Select(e => e.GetType().Name).ToList();
        Assert.Equal(["MemberLeft", "MemberExited", "MemberRemoved"], own.Where(name => name != "MemberJoined" && name != "MemberUp"));
    }

    [Fact]
    public async Task Leave_LastNodeOfSingleNodeCluster_RemovesItselfAndShutsDown()
    {
        var simulation = new ClusterSimulation(seed: 73);
        var node = await simulation.StartAsync(ClusterSimulation.AddressOf(0));
        simulation.RunUntil(() => node.SeesAllUp(1), Timeout, "single node Up");

        simulation.Leave(node.Address);
        simulation.RunUntil(() => !node.IsRunning, Timeout, "single node left");

        Assert.Equal("removed from the cluster", node.ShutDownReason);
        Assert.True(node.ShutDownLeft);
    }

    [Fact]
    public async Task NoSeeds_FormsSingleNodeClusterAtOnce()
    {
        var simulation = new ClusterSimulation(seed: 81);
        var node = await simulation.StartAsync(ClusterSimulation.AddressOf(0), seeds: []);

        var took = simulation.RunUntil(() => node.SeesAllUp(1), Timeout, "single node Up");

        Assert.True(took < TimeSpan.FromMilliseconds(200), $"took {took}");
        Assert.True(node.Machine.IsLeader);
        Assert.Equal(1, node.Machine.Gossip.Oldest()?.UpNumber);
    }

    [Fact]
    public async Task FirstSeed_OtherSeedsSilent_FormsClusterOnlyAfterSeedNodeTimeout()
    {
        var simulation = new ClusterSimulation(seed: 82);
        var seeds = new[] { ClusterSimulation.AddressOf(0), ClusterSimulation.AddressOf(1) };
        var first = await simulation.StartAsync(seeds[0], seeds);

        simulation.RunFor(simulation.Settings.SeedNodeTimeout - TimeSpan.FromMilliseconds(100));
        Assert.Equal(MembershipPhase.Seeking, first.Machine.Phase);

        simulation.RunUntil(() => first.SeesAllUp(1), TimeSpan.FromSeconds(1), "first seed forms the cluster after the timeout");
        var second = await simulation.StartAsync(seeds[1], seeds);
        simulation.RunUntil(() => first.SeesAllUp(2) && second.SeesAllUp(2), Timeout, "second seed joins the first");
    }

    [Fact]
    public async Task FirstSeed_AnotherSeedIsInACluster_JoinsItInsteadOfFormingOne()
    {
        var (simulation, nodes) = await FailureSimulationTests.FormedCluster(83, 3);
        var first = nodes[0];
        simulation.Crash(first.Address);
        var survivors = nodes.Skip(1).ToList();
        simulation.RunUntil(() => survivors.All(node => node.SeesAllUp(2)), Timeout, "the crashed first seed is removed");

        var restarted = await simulation.StartAsync(first.Address, first.Machine.Settings.SeedNodes);
        simulation.RunUntil(() => restarted.SeesAllUp(3) && survivors.All(node => node.SeesAllUp(3)), Timeout, "restarted first seed rejoins");

        Assert.Equal(MembershipPhase.Member, restarted.Machine.Phase);
        Assert.True(restarted.Machine.Gossip.MemberOf(restarted.Self)!.UpNumber > 1, "it joined the existing cluster as its youngest member");
    }

    [Theory]
    [InlineData(85)]
    [InlineData(86)]
    [InlineData(87)]
    public async Task LoneSeed_RestartedAfterTheClusterRemovedIt_RejoinsTheClusterInsteadOfStayingApart(int seed)
    {
        // The Lighthouse layout: one seed that lists only itself. Restarted, it has nobody to ask; it waits for an
        // invitation from the surviving cluster's leader and joins it, rather than forming a second cluster.
        var simulation = new ClusterSimulation(seed);
        var nodes = await simulation.StartClusterAsync(4, seedCount: 1);
        simulation.RunUntil(() => nodes.All(node => node.SeesAllUp(4)), Timeout, "four nodes Up");
        var lighthouse = nodes[0];
        var survivors = nodes.Skip(1).ToList();
        simulation.Crash(lighthouse.Address);
        simulation.RunUntil(() => survivors.All(node => node.SeesAllUp(3)), Timeout, "the crashed seed is removed");

        var restarted = await simulation.StartAsync(lighthouse.Address, [lighthouse.Address]);
        simulation.RunUntil(() => restarted.SeesAllUp(4) && survivors.All(node => node.SeesAllUp(4)), Timeout, "the restarted seed rejoins the cluster");
        Assert.True(restarted.Machine.Gossip.MemberOf(restarted.Self)!.UpNumber > 1, "it joined the existing cluster as its youngest member");

        // A node that joins through the seed afterwards joins the same, single cluster.
        var late = await simulation.StartAsync(ClusterSimulation.AddressOf(9), [lighthouse.Address]);
        var everyone = survivors.Append(restarted).Append(late).ToList();
        simulation.RunUntil(() => everyone.All(node => node.SeesAllUp(5)), Timeout, "a late joiner finds one cluster of five");
        simulation.CheckInvariants();
    }

    [Fact]
    public async Task SeedWithOtherMembers_IgnoresAnInvitation()
    {
        // Only a first seed that is alone may abandon the cluster it formed: with a member of its own, it stays.
        var simulation = new ClusterSimulation(seed: 88);
        var nodes = await simulation.StartClusterAsync(2, seedCount: 1);
        simulation.RunUntil(() => nodes.All(node => node.SeesAllUp(2)), Timeout, "two nodes Up");

        nodes[0].OnMessage(new UniqueAddress(ClusterSimulation.AddressOf(7), 77), new InitJoinAck(simulation.Settings.ClusterName));
        simulation.RunFor(TimeSpan.FromSeconds(2));

        Assert.All(nodes, node => Assert.True(node.SeesAllUp(2)));
        Assert.DoesNotContain(nodes[0].Events, entry => entry.Event is JoiningExistingCluster);
    }

    [Fact]
    public async Task NonFirstSeed_Alone_NeverFormsACluster()
    {
        var simulation = new ClusterSimulation(seed: 84);
        var seeds = new[] { ClusterSimulation.AddressOf(0), ClusterSimulation.AddressOf(1) };
        var second = await simulation.StartAsync(seeds[1], seeds);

        simulation.RunFor(TimeSpan.FromSeconds(20));

        Assert.Equal(MembershipPhase.Seeking, second.Machine.Phase);
        var first = await simulation.StartAsync(seeds[0], seeds);
        simulation.RunUntil(() => first.SeesAllUp(2) && second.SeesAllUp(2), Timeout, "both seeds Up once the first seed starts");
    }

    [Fact]
    public async Task Join_WrongClusterName_IsRefusedWithReason()
    {
        var (simulation, nodes) = await FailureSimulationTests.FormedCluster(85, 2);
        var stranger = await simulation.StartAsync(
            ClusterSimulation.AddressOf(9),
            nodes[0].Machine.Settings.SeedNodes,
            settings: simulation.Settings with { ClusterName = "other-cluster" });

        simulation.RunFor(TimeSpan.FromSeconds(3));

        var refused = Assert.Single(stranger.Events.Select(entry => entry.Event).OfType<JoinRefused>(), e => e.By == nodes[0].Address);
        Assert.Contains("'session-cluster', not 'other-cluster'", refused.Reason);
        Assert.Equal(MembershipPhase.Seeking, stranger.Machine.Phase);
        Assert.All(nodes, node => Assert.Equal(2, node.Machine.Gossip.Members.Count));
    }

    [Theory]
    [InlineData(91)]
    [InlineData(92)]
    public async Task Restart_SameAddressNewUid_ReplacesOldIncarnation(int seed)
    {
        var (simulation, nodes) = await FailureSimulationTests.FormedCluster(seed, 4);
        var old = nodes[2];

        simulation.Crash(old.Address);
        simulation.RunFor(TimeSpan.FromMilliseconds(300)); // Restarted before anyone noticed the crash.
        var fresh = await simulation.StartAsync(old.Address, old.Machine.Settings.SeedNodes);
        var took = simulation.RunUntil(
            () => simulation.Running.All(node => node.SeesAllUp(4)) && simulation.Running.All(node => node.Machine.Gossip.HasMember(fresh.Self)),
            Timeout,
            "new incarnation Up everywhere, old one gone");

        output.WriteLine($"seed {seed}: restart replaced the old incarnation in {took.TotalMilliseconds} ms virtual");
        Assert.NotEqual(old.Self, fresh.Self);
        Assert.All(simulation.Running, node =>
        {
            Assert.False(node.Machine.Gossip.HasMember(old.Self));
            Assert.True(node.Machine.Gossip.IsTombstoned(old.Self));
        });
        Assert.Contains(nodes[0].Events, entry => entry.Event is MemberRemoved removed && removed.Member.UniqueAddress == old.Self);
    }

    [Fact]
    public async Task Down_ByOperator_DownedNodeShutsDownAndIsRemoved()
    {
        var (simulation, nodes) = await FailureSimulationTests.FormedCluster(93, 4);
        var target = nodes[3];

        simulation.Down(nodes[1].Address, target.Address);
        simulation.RunUntil(() => !target.IsRunning && nodes.Take(3).All(node => node.SeesAllUp(3)), Timeout, "operator-downed node gone");

        Assert.Equal("downed", target.ShutDownReason);
        Assert.False(target.ShutDownLeft);
    }
}
