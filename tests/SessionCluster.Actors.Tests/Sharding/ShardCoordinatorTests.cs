using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>The coordinator state machine, one rule at a time: reign, rebuild, allocation, move supervision.</summary>
public sealed class ShardCoordinatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    internal static readonly UniqueAddress A = new(new NodeAddress("a", 1), 1);
    internal static readonly UniqueAddress B = new(new NodeAddress("b", 1), 2);
    private static readonly UniqueAddress C = new(new NodeAddress("c", 1), 3);
    private static readonly ShardingSettings Settings = ShardingSettings.Default with { NumberOfShards = 4 };

    [Fact]
    public void Only_the_oldest_Up_worker_takes_the_post_and_it_queries_every_member()
    {
        var onA = new ShardCoordinator(A, Settings);
        var onB = new ShardCoordinator(B, Settings);

        var queries = onA.MembershipChanged(State((A, MemberStatus.Up), (B, MemberStatus.Up)), T0);
        onB.MembershipChanged(State((A, MemberStatus.Up), (B, MemberStatus.Up)), T0);

        Assert.Equal(CoordinatorPhase.Rebuilding, onA.Phase);
        Assert.Equal(CoordinatorPhase.Idle, onB.Phase);
        Assert.Equal([A.Address, B.Address], queries.OfType<SendToNode>().Where(send => send.Message is QueryRegion).Select(send => send.To));
    }

    [Fact]
    public void Rebuild_waits_for_every_worker_then_keeps_what_is_served_and_settles_unfinished_moves_under_new_epochs()
    {
        var coordinator = new ShardCoordinator(A, Settings);
        coordinator.MembershipChanged(State((A, MemberStatus.Up), (B, MemberStatus.Up), (C, MemberStatus.Up)), T0);
        var reign = coordinator.Reign;

        coordinator.Receive(A, Report(reign, new HostedShard(0, 10, HostedShardStatus.Active), new HostedShard(1, 11, HostedShardStatus.HandingOff)), T0);
        coordinator.Receive(B, Report(reign, new HostedShard(1, 12, HostedShardStatus.Received), new HostedShard(2, 9, HostedShardStatus.HandingOff)), T0);
        Assert.Equal(CoordinatorPhase.Rebuilding, coordinator.Phase);

        var effects = coordinator.Receive(C, Report(reign, new HostedShard(3, 8, HostedShardStatus.Receiving)), T0);

        Assert.Equal(CoordinatorPhase.Active, coordinator.Phase);
        var table = coordinator.Table;
        Assert.Equal(ShardPlacement.Alone(A, 10), table[0]);
        Assert.Equal(B, table[1].Home);
        Assert.Equal(B, table[2].Home);
        Assert.Equal(C, table[3].Home);
        Assert.All([table[1].Epoch, table[2].Epoch, table[3].Epoch], epoch => Assert.True(epoch > 12, $"epoch {epoch} must exceed every epoch seen"));
        var broadcasts = effects.OfType<SendToNode>().Where(send => send.Message is ShardHomes).ToList();
        Assert.Equal([A.Address, B.Address, C.Address], broadcasts.Select(send => send.To).Order());
    }

    [Fact]
    public void Rebuild_does_not_wait_for_a_worker_that_is_removed()
    {
        var coordinator = new ShardCoordinator(A, Settings);
        coordinator.MembershipChanged(State((A, MemberStatus.Up), (B, MemberStatus.Up)), T0);
        coordinator.Receive(A, Report(coordinator.Reign), T0);
        Assert.Equal(CoordinatorPhase.Rebuilding, coordinator.Phase);

        coordinator.MembershipChanged(State((A, MemberStatus.Up), (B, MemberStatus.Down)), T0);
        Assert.Equal(CoordinatorPhase.Rebuilding, coordinator.Phase);

        coordinator.MembershipChanged(State((A, MemberStatus.Up)), T0);
        Assert.Equal(CoordinatorPhase.Active, coordinator.Phase);
    }

    [Fact]
    public void Homeless_shards_are_allocated_eagerly_and_evenly()
    {
        var coordinator = ActiveCoordinator(out _);

        coordinator.Tick(T0.AddSeconds(1));

        Assert.Equal(4, coordinator.Table.Count);
        Assert.Equal(2, coordinator.Table.Values.Count(home => home.Home == A));
        Assert.Equal(4, coordinator.Table.Values.Select(home => home.Epoch).Distinct().Count());
    }

    [Fact]
    public void A_move_without_a_receipt_goes_back_to_the_old_home_under_a_newer_epoch()
    {
        var coordinator = ActiveCoordinator(out var reign);
        coordinator.Tick(T0.AddSeconds(1));
        var effects = coordinator.Receive(A, new DrainRegion(true), T0.AddSeconds(1));
        var handOff = effects.OfType<SendToNode>().Select(send => send.Message).OfType<HandOffShard>().First();
        var before = coordinator.Table[handOff.Shard];

        var timedOut = coordinator.Tick(T0.AddSeconds(3) + Settings.HandOffTimeout);

        var after = coordinator.Table[handOff.Shard];
        Assert.Equal(A, after.Home);
        Assert.True(after.Epoch > handOff.Epoch && after.Epoch > before.Epoch);
        Assert.Contains(timedOut, effect => effect is SendToNode { Message: ShardHomes homes } && homes.Allocations.Any(a => a.Shard == handOff.Shard && a.Home == A.Address));
    }

    [Fact]
    public void A_receipt_from_the_new_home_confirms_the_move_to_every_region()
    {
        var coordinator = ActiveCoordinator(out var reign);
        coordinator.Tick(T0.AddSeconds(1));
        var handOff = coordinator.Receive(A, new DrainRegion(true), T0.AddSeconds(1)).OfType<SendToNode>().Select(send => send.Message).OfType<HandOffShard>().First();
        Assert.Equal(B.Address, handOff.To);

        var effects = coordinator.Receive(B, new ShardReceived(reign, handOff.Shard, handOff.Epoch), T0.AddSeconds(4));

        Assert.Equal((B, handOff.Epoch), (coordinator.Table[handOff.Shard].Home, coordinator.Table[handOff.Shard].Epoch));
        Assert.Equal(2, effects.Count(effect => effect is SendToNode { Message: ShardHomes }));
    }

    [Fact]
    public void A_draining_region_is_emptied_move_after_move_without_waiting_for_rounds_and_never_beyond_the_limit()
    {
        // 4 shards: the per-round limit is 1 move (at least one, though a tenth of 4 rounds to none).
        var coordinator = ActiveCoordinator(out var reign);
        coordinator.Tick(T0.AddSeconds(1));
        var onA = coordinator.Table.Where(entry => entry.Value.Home == A).Select(entry => entry.Key).Order().ToList();
        Assert.Equal(2, onA.Count);

        var first = Assert.Single(HandOffs(coordinator.Receive(A, new DrainRegion(true), T0.AddSeconds(1.1))));
        Assert.Equal(B.Address, first.To);

        // Its receipt, 0.1 s later and long before the next rebalance interval, frees the place for the next shard.
        var second = Assert.Single(HandOffs(coordinator.Receive(B, new ShardReceived(reign, first.Shard, first.Epoch), T0.AddSeconds(1.2))));
        Assert.Equal((B.Address, onA.Single(shard => shard != first.Shard)), (second.To, second.Shard));
        Assert.True(second.Epoch > first.Epoch);

        // A repeated receipt of the first move starts nothing more: one move is all the limit allows.
        Assert.Empty(HandOffs(coordinator.Receive(B, new ShardReceived(reign, first.Shard, first.Epoch), T0.AddSeconds(1.3))));
        coordinator.Receive(B, new ShardReceived(reign, second.Shard, second.Epoch), T0.AddSeconds(1.4));
        Assert.All(coordinator.Table.Values, placement => Assert.Equal(B, placement.Home));
    }

    [Fact]
    public void A_move_of_an_ordinary_rebalance_waits_for_the_next_round_before_the_next_one_starts()
    {
        // B holds every shard and A none, so rounds move them one at a time onto A; A is not being emptied.
        var coordinator = new ShardCoordinator(A, Settings);
        coordinator.MembershipChanged(State((A, MemberStatus.Up), (B, MemberStatus.Up)), T0);
        var reign = coordinator.Reign;
        coordinator.Receive(A, Report(reign), T0);
        coordinator.Receive(B, Report(reign, [.. Enumerable.Range(0, 4).Select(shard => new HostedShard(shard, shard + 1, HostedShardStatus.Active))]), T0);
        var first = Assert.Single(HandOffs(coordinator.Tick(T0 + Settings.RebalanceInterval)));

        var received = coordinator.Receive(A, new ShardReceived(reign, first.Shard, first.Epoch), T0 + Settings.RebalanceInterval + TimeSpan.FromMilliseconds(100));

        Assert.Empty(HandOffs(received));
        Assert.Single(HandOffs(coordinator.Tick(T0 + (2 * Settings.RebalanceInterval))));
    }

    [Fact]
    public void A_member_whose_report_was_lost_is_queried_again_instead_of_told_a_home_that_would_stop_it_registering()
    {
        var coordinator = ActiveCoordinator(out var reign);
        coordinator.Tick(T0.AddSeconds(1));
        coordinator.MembershipChanged(State((A, MemberStatus.Up), (B, MemberStatus.Up), (C, MemberStatus.Up)), T0.AddSeconds(1));
        // C registered and was queried, but its report never arrived; then it asks where a shard lives.

        var asked = coordinator.Receive(C, new GetShardHome(2), T0.AddSeconds(2));

        Assert.Equal([new SendToNode(C.Address, new QueryRegion(reign))], asked);
        var reported = coordinator.Receive(C, Report(reign), T0.AddSeconds(2));
        var table = Assert.Single(reported.OfType<SendToNode>().Where(send => send.To == C.Address).Select(send => send.Message).OfType<ShardHomes>());
        Assert.Equal(4, table.Allocations.Length);
        Assert.Contains(coordinator.Receive(C, new GetShardHome(2), T0.AddSeconds(3)), effect => effect is SendToNode { Message: ShardHomes });
    }

    [Fact]
    public void A_downed_home_keeps_its_shards_until_it_is_removed()
    {
        var coordinator = ActiveCoordinator(out _);
        coordinator.Tick(T0.AddSeconds(1));
        var onB = coordinator.Table.Where(entry => entry.Value.Home == B).Select(entry => entry.Key).ToList();

        coordinator.MembershipChanged(State((A, MemberStatus.Up), (B, MemberStatus.Down)), T0.AddSeconds(2));
        Assert.All(onB, shard => Assert.Equal(B, coordinator.Table[shard].Home));

        coordinator.MembershipChanged(State((A, MemberStatus.Up)), T0.AddSeconds(3));
        Assert.All(onB, shard => Assert.Equal(A, coordinator.Table[shard].Home));
    }

    /// <summary>A coordinator on <see cref="A"/>, active over workers A and B, with no shard allocated yet (4 shards, and
    /// <paramref name="settings"/> if given).</summary>
    internal static ShardCoordinator ActiveCoordinator(out long reign, ShardingSettings? settings = null)
    {
        var coordinator = new ShardCoordinator(A, settings ?? Settings);
        coordinator.MembershipChanged(State((A, MemberStatus.Up), (B, MemberStatus.Up)), T0);
        reign = coordinator.Reign;
        coordinator.Receive(A, Report(reign), T0);
        coordinator.Receive(B, Report(reign), T0);
        Assert.Equal(CoordinatorPhase.Active, coordinator.Phase);
        return coordinator;
    }

    private static List<HandOffShard> HandOffs(IReadOnlyList<ShardingEffect> effects) =>
        [.. effects.OfType<SendToNode>().Select(send => send.Message).OfType<HandOffShard>()];

    private static RegionReport Report(long reign, params HostedShard[] shards) => new(reign, true, 1, [.. shards], shards.Length == 0 ? 0 : shards.Max(s => s.Epoch));

    private static CurrentClusterState State(params (UniqueAddress Node, MemberStatus Status)[] members) =>
        new(
            members[0].Node,
            [.. members.Select((member, index) => new Member(member.Node, member.Status, ["worker"], index + 1))],
            [],
            members[0].Node,
            IsConverged: true);
}
