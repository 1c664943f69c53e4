using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>An operator's hand on the coordinator: a region's new capacity weight (rebalanced by at once), a rebalance
/// round on demand, and the region table that <c>GET /cluster/regions</c> shows.</summary>
public sealed class ShardCoordinatorWeightTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly UniqueAddress A = new(new NodeAddress("a", 1), 1);
    private static readonly UniqueAddress B = new(new NodeAddress("b", 1), 2);
    private static readonly UniqueAddress F = new(new NodeAddress("f", 1), 3);

    // Limits high enough that one round may move everything the weights call for.
    private static readonly ShardingSettings Settings = ShardingSettings.Default with
    {
        NumberOfShards = 12,
        RebalanceAbsoluteLimit = 12,
        RebalanceRelativeLimit = 1,
        RebalanceInterval = TimeSpan.FromMinutes(10),
    };

    [Fact]
    public void A_new_weight_starts_moves_towards_it_at_once_without_waiting_for_the_rebalance_interval()
    {
        var coordinator = Balanced();
        Assert.Equal(6, HomedOn(coordinator, B));

        var effects = coordinator.Receive(B, new RegionWeightChanged(3), T0.AddSeconds(2));

        var handOffs = effects.OfType<SendToNode>().Where(send => send.Message is HandOffShard).ToList();
        Assert.NotEmpty(handOffs);
        Assert.All(handOffs, send => Assert.Equal(A.Address, send.To));
        Assert.All(handOffs, send => Assert.Equal(B.Address, ((HandOffShard)send.Message).To));
        // Weights 1:3 of 12 shards: B is to hold 9, so 3 move from A.
        Assert.Equal(3, handOffs.Count);
        Assert.Equal(3, coordinator.Moving.Count);
    }

    [Fact]
    public void Weight_zero_empties_the_region_and_shows_it_draining()
    {
        var coordinator = Balanced();

        var effects = coordinator.Receive(B, new RegionWeightChanged(0), T0.AddSeconds(2));

        var handOffs = effects.OfType<SendToNode>().Select(send => send.Message).OfType<HandOffShard>().ToList();
        Assert.Equal(6, handOffs.Count);
        Assert.All(handOffs, handOff => Assert.Equal(A.Address, handOff.To));
        var summary = coordinator.Regions().Single(region => region.Region == B.Address);
        Assert.True(summary.Draining);
        Assert.Equal(0, summary.Weight);
    }

    [Fact]
    public void The_same_weight_again_changes_nothing()
    {
        var coordinator = Balanced();

        var effects = coordinator.Receive(B, new RegionWeightChanged(1), T0.AddSeconds(2));

        Assert.Empty(effects);
        Assert.Empty(coordinator.Moving);
    }

    [Fact]
    public void A_proxy_regions_weight_is_ignored()
    {
        var coordinator = Balanced();

        var effects = coordinator.Receive(F, new RegionWeightChanged(5), T0.AddSeconds(2));

        Assert.Empty(effects);
        Assert.Equal(0, coordinator.Regions().Single(region => region.Region == F.Address).Weight);
    }

    [Fact]
    public void Rebalance_now_moves_shards_to_a_region_that_joined_since_the_last_round()
    {
        var coordinator = new ShardCoordinator(A, Settings);
        coordinator.MembershipChanged(State((A, MemberStatus.Up, true)), T0);
        coordinator.Receive(A, Report(coordinator.Reign, weight: 1), T0);
        coordinator.Tick(T0.AddSeconds(1));
        Assert.Equal(12, HomedOn(coordinator, A));
        coordinator.MembershipChanged(State((A, MemberStatus.Up, true), (B, MemberStatus.Up, true)), T0.AddSeconds(2));
        coordinator.Receive(B, Report(coordinator.Reign, weight: 1), T0.AddSeconds(2));
        Assert.DoesNotContain(coordinator.Tick(T0.AddSeconds(3)), effect => effect is SendToNode { Message: HandOffShard });

        Assert.True(coordinator.RebalanceNow(T0.AddSeconds(4), out var effects));

        var handOffs = effects.OfType<SendToNode>().Select(send => send.Message).OfType<HandOffShard>().ToList();
        Assert.Equal(6, handOffs.Count);
        Assert.All(handOffs, handOff => Assert.Equal(B.Address, handOff.To));
    }

    [Fact]
    public void Rebalance_now_on_a_node_that_is_not_the_active_coordinator_does_nothing()
    {
        var idle = new ShardCoordinator(B, Settings);
        idle.MembershipChanged(State((A, MemberStatus.Up, true), (B, MemberStatus.Up, true)), T0);
        var rebuilding = new ShardCoordinator(A, Settings);
        rebuilding.MembershipChanged(State((A, MemberStatus.Up, true), (B, MemberStatus.Up, true)), T0);

        Assert.False(idle.RebalanceNow(T0, out var idleEffects));
        Assert.False(rebuilding.RebalanceNow(T0, out var rebuildingEffects));
        Assert.Empty(idleEffects);
        Assert.Empty(rebuildingEffects);
        Assert.Empty(idle.Regions());
    }

    [Fact]
    public void Regions_count_homes_and_backups_per_region()
    {
        var coordinator = new ShardCoordinator(A, Settings, backupsPerShard: 1);
        coordinator.MembershipChanged(State((A, MemberStatus.Up, true), (B, MemberStatus.Up, true), (F, MemberStatus.Up, false)), T0);
        coordinator.Receive(A, Report(coordinator.Reign, weight: 1), T0);
        coordinator.Receive(B, Report(coordinator.Reign, weight: 2), T0);
        coordinator.Receive(F, new RegionReport(coordinator.Reign, false, 0, [], 0), T0);
        coordinator.Tick(T0.AddSeconds(1));

        var regions = coordinator.Regions();

        Assert.Equal([A.Address, B.Address, F.Address], regions.Select(region => region.Region));
        var a = regions[0];
        var b = regions[1];
        var f = regions[2];
        Assert.Equal(12, a.Shards + b.Shards);
        Assert.Equal(8, b.Shards);
        Assert.Equal((1.0, 2.0), (a.Weight, b.Weight));
        Assert.Equal(12, a.Backups + b.Backups);
        Assert.Equal(a.Shards, b.Backups);
        Assert.Equal((false, 0, 0, false), (f.HostsShards, f.Shards, f.Backups, f.Draining));
    }

    /// <summary>Active on A with workers A and B (and a front F), every shard allocated 6:6 by weights 1 and 1.</summary>
    private static ShardCoordinator Balanced()
    {
        var coordinator = new ShardCoordinator(A, Settings);
        coordinator.MembershipChanged(State((A, MemberStatus.Up, true), (B, MemberStatus.Up, true), (F, MemberStatus.Up, false)), T0);
        coordinator.Receive(A, Report(coordinator.Reign, weight: 1), T0);
        coordinator.Receive(B, Report(coordinator.Reign, weight: 1), T0);
        coordinator.Receive(F, new RegionReport(coordinator.Reign, false, 0, [], 0), T0);
        Assert.Equal(CoordinatorPhase.Active, coordinator.Phase);
        coordinator.Tick(T0.AddSeconds(1));
        Assert.Equal(12, coordinator.Table.Count);
        return coordinator;
    }

    private static int HomedOn(ShardCoordinator coordinator, UniqueAddress region) => coordinator.Table.Values.Count(placement => placement.Home == region);

    private static RegionReport Report(long reign, double weight) => new(reign, true, weight, [], 0);

    private static CurrentClusterState State(params (UniqueAddress Node, MemberStatus Status, bool Worker)[] members) =>
        new(
            members[0].Node,
            [.. members.Select((member, index) => new Member(member.Node, member.Status, [member.Worker ? "worker" : "front"], index + 1))],
            [],
            members[0].Node,
            IsConverged: true);
}
