using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>Whole clusters with sharding in one process on a manual clock: the single-writer invariants are checked
/// after every 10 ms step, and every acknowledged increment (and, under joins and drains, every acknowledged set) is
/// accounted for at the end.</summary>
/// <remarks>The nodes replicate as production does by default (replication-factor 2, write consistency one), so joins,
/// drains, rebalances and lossy links are also checked with every write waiting for its backup. The two tests about
/// what sharding alone does when a node is lost (a crash, a partitioned minority) run with replication-factor 1, where
/// the lost node's sessions are written off; what replication saves is in <see cref="Replication.ReplicationSimulationTests"/>.</remarks>
public sealed class ShardingSimulationTests
{
    internal static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    internal static ShardingSettings Settings => ShardingSettings.Default with { NumberOfShards = 30 };

    internal static async Task<ShardedSimulation> StartWorkers(
        int seed, int workers, int fronts = 0, LinkFaults? faults = null, ReplicationSettings? replication = null, ShardingSettings? settings = null)
    {
        var cluster = new ShardedSimulation(new ClusterSimulation(seed, defaultFaults: faults), settings ?? Settings, replication);
        for (var i = 0; i < workers; i++)
        {
            await cluster.StartAsync(i);
        }

        for (var i = 0; i < fronts; i++)
        {
            await cluster.StartAsync(workers + i, "front");
        }

        var total = workers + fronts;
        cluster.Simulation.RunUntil(() => cluster.Simulation.Running.All(node => node.SeesAllUp(total)), Long, $"{total} nodes up");
        return cluster;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Sessions_created_through_any_node_are_served_by_exactly_one_home(int seed)
    {
        var cluster = await StartWorkers(seed, workers: 3, fronts: 1);

        cluster.CreateSessions(300, Long);
        using (cluster.RunLoad(perStep: 5, TimeSpan.FromMilliseconds(10)))
        {
            cluster.Simulation.RunFor(TimeSpan.FromSeconds(3));
        }

        cluster.WaitForAnswers(Long);
        Assert.Empty(cluster.Unavailable);
        Assert.Empty(cluster.Errors);
        Assert.True(cluster.AcknowledgedIncrements > 1000);
        cluster.VerifySessions(Long);
        var front = cluster[ClusterSimulation.AddressOf(3)];
        Assert.Empty(front.HostedShards);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public async Task A_joining_worker_takes_its_share_under_load_with_no_failed_request(int seed)
    {
        var cluster = await StartWorkers(seed, workers: 3, fronts: 1);
        cluster.CreateSessionsAndSettle(300, Long);

        using (cluster.RunLoad(perStep: 5, TimeSpan.FromMilliseconds(10)))
        using (cluster.RunSets(perStep: 5, TimeSpan.FromMilliseconds(10)))
        {
            await cluster.StartAsync(4);
            cluster.Simulation.RunUntil(
                () => cluster.IsSettled() && cluster.WorkersServe(count => count is 7 or 8, ClusterSimulation.AddressOf(3)),
                Long,
                "30 shards balanced over 4 workers");
        }

        cluster.WaitForAnswers(Long);
        Assert.Empty(cluster.Unavailable);
        Assert.Empty(cluster.Errors);
        cluster.VerifySessions(Long);
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    [InlineData(23)]
    public async Task A_draining_worker_hands_every_shard_off_with_its_sessions_then_leaves(int seed)
    {
        var cluster = await StartWorkers(seed, workers: 4);
        cluster.CreateSessionsAndSettle(300, Long);

        var leaving = ClusterSimulation.AddressOf(1);
        using (cluster.RunLoad(perStep: 5, TimeSpan.FromMilliseconds(10)))
        {
            cluster.DrainAndLeave(leaving, Long);
        }

        cluster.WaitForAnswers(Long);
        Assert.Empty(cluster.Unavailable);
        Assert.Empty(cluster.Errors);
        cluster.VerifySessions(Long);
    }

    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    public async Task The_coordinator_draining_away_hands_its_post_to_the_next_oldest(int seed)
    {
        var cluster = await StartWorkers(seed, workers: 3, fronts: 1);
        cluster.CreateSessionsAndSettle(200, Long);
        var oldest = cluster.ActiveCoordinator.Node.Address;

        using (cluster.RunLoad(perStep: 3, TimeSpan.FromMilliseconds(10)))
        {
            cluster.DrainAndLeave(oldest, Long);
        }

        cluster.WaitForAnswers(Long);
        Assert.NotEqual(oldest, cluster.ActiveCoordinator.Node.Address);
        Assert.Empty(cluster.Errors);
        cluster.VerifySessions(Long);
    }

    [Theory]
    [InlineData(41)]
    [InlineData(42)]
    [InlineData(43)]
    public async Task A_crashed_worker_s_shards_get_new_homes_and_every_other_session_is_exact(int seed)
    {
        var cluster = await StartWorkers(seed, workers: 4, fronts: 1, replication: ReplicationSettings.None);
        cluster.CreateSessionsAndSettle(300, Long);

        using (cluster.RunLoad(perStep: 5, TimeSpan.FromMilliseconds(10)))
        {
            cluster.Simulation.RunFor(TimeSpan.FromSeconds(1));
            cluster.Crash(ClusterSimulation.AddressOf(2));
            cluster.Simulation.RunUntil(
                () => cluster.IsSettled() && cluster.Running.Count(host => host.Coordinator is not null) == 3 &&
                      cluster.Running.Select(host => host.Coordinator).OfType<ShardCoordinator>().Any(c => c.Table.Count == 30 &&
                          c.Table.Values.All(home => !home.Home.Address.Equals(ClusterSimulation.AddressOf(2)))),
                Long,
                "crashed worker's shards re-homed");
            cluster.Simulation.RunFor(TimeSpan.FromSeconds(2));
        }

        cluster.WaitForAnswers(Long);
        Assert.Empty(cluster.Errors);
        cluster.VerifySessions(Long);
    }

    [Theory]
    [InlineData(51)]
    [InlineData(52)]
    public async Task The_coordinator_crashing_mid_rebalance_leaves_one_owner_per_shard_and_loses_nothing_elsewhere(int seed)
    {
        var cluster = await StartWorkers(seed, workers: 3, fronts: 1);
        cluster.CreateSessionsAndSettle(300, Long);
        var oldest = cluster.ActiveCoordinator.Node.Address;

        using (cluster.RunLoad(perStep: 5, TimeSpan.FromMilliseconds(10)))
        {
            await cluster.StartAsync(5);
            cluster.Simulation.StepSize = TimeSpan.FromMilliseconds(1);
            cluster.Simulation.RunUntil(
                () => cluster.Running.Any(host => host.Coordinator is { Phase: CoordinatorPhase.Active, Moving.Count: > 0 }),
                Long,
                "a move in progress");
            cluster.Crash(oldest);
            cluster.Simulation.StepSize = TimeSpan.FromMilliseconds(10);
            cluster.Simulation.RunUntil(
                () => cluster.IsSettled() && cluster.WorkersServe(count => count >= 9, ClusterSimulation.AddressOf(3)),
                Long,
                "rebalanced without the old coordinator");
        }

        cluster.WaitForAnswers(Long);
        Assert.Empty(cluster.Errors);
        cluster.VerifySessions(Long);
    }

    [Theory]
    [InlineData(61)]
    [InlineData(62)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(66)]
    public async Task Under_five_percent_message_loss_a_join_and_a_drain_keep_one_owner_and_every_acknowledged_increment(int seed)
    {
        var lossy = new LinkFaults(DropRate: 0.05, MinDelay: TimeSpan.FromMilliseconds(1), MaxDelay: TimeSpan.FromMilliseconds(3));
        var cluster = await StartWorkers(seed, workers: 3, fronts: 1, faults: lossy);

        await JoinThenDrainUnderLoad(cluster);

        cluster.WaitForAnswers(Long);
        Assert.Empty(cluster.Errors);
        cluster.VerifySessions(Long);
    }

    [Theory]
    [InlineData(71)]
    [InlineData(72)]
    [InlineData(73)]
    public async Task Hand_offs_of_many_slices_under_loss_duplication_and_reordering_keep_one_owner_and_every_acknowledged_increment(int seed)
    {
        // Slices of a few hundred bytes and a window of 2: every shard of more than a session or two moves in several
        // slices, some lost, some twice, some overtaken, so the sender's loss detection, back-off and window all run.
        const int chunkBytes = 256;
        var faults = new LinkFaults(DropRate: 0.05, DuplicateRate: 0.05, MinDelay: TimeSpan.FromMilliseconds(1), MaxDelay: TimeSpan.FromMilliseconds(5));
        var settings = Settings with { TransferChunkBytes = chunkBytes, TransferWindow = 2 };
        var cluster = await StartWorkers(seed, workers: 3, fronts: 1, faults: faults, settings: settings);

        var drained = await JoinThenDrainUnderLoad(cluster, settings);

        cluster.WaitForAnswers(Long);
        Assert.Empty(cluster.Errors);
        cluster.VerifySessions(Long);

        // Lost slices were sent again well before a hand-off timed out (the coordinator would then give the shard back
        // and move it anew, a 10 s stall): the drain's moves, in virtual time, took less than one hand-off timeout.
        Assert.True(drained < settings.HandOffTimeout, $"seed {seed}: the drain took {drained.TotalSeconds:0.0} s of virtual time");

        // The moves were of many slices: most shards are larger than one slice.
        var sizes = cluster.Running.SelectMany(host => host.HostedShards.Select(shard => host.SessionsOf(shard)!.Values.Sum(SessionCrdtWireFormat.EstimatedSize))).ToList();
        Assert.True(sizes.Count(size => size > 2 * chunkBytes) >= 20, $"shard sizes on the wire: {string.Join(", ", sizes.Order())}");
    }

    /// <summary>200 sessions, then under a load of increments and sets a 4th worker joins (index 5) and takes its share, and
    /// worker 1 drains; returns how long the drain took in virtual time.</summary>
    private static async Task<TimeSpan> JoinThenDrainUnderLoad(ShardedSimulation cluster, ShardingSettings? settings = null)
    {
        cluster.CreateSessionsRetrying(200, Long);
        cluster.Simulation.RunUntil(cluster.IsSettled, Long, "initial allocation settled");
        using (cluster.RunLoad(perStep: 3, TimeSpan.FromMilliseconds(10)))
        using (cluster.RunSets(perStep: 3, TimeSpan.FromMilliseconds(10)))
        {
            await cluster.StartAsync(5, settings: settings);
            cluster.Simulation.RunUntil(
                () => cluster.IsSettled() && cluster.WorkersServe(count => count is 7 or 8, ClusterSimulation.AddressOf(3)),
                Long,
                "30 shards balanced over 4 workers despite the faults");
            var leaving = ClusterSimulation.AddressOf(1);
            cluster.TakeOutOfRotation(leaving);
            cluster[leaving].Drain();
            var drainStarted = cluster.Simulation.Elapsed;
            cluster.Simulation.RunUntil(() => cluster[leaving].Region.HoldsNothing && cluster.IsSettled(), Long, "drained despite the faults");
            return cluster.Simulation.Elapsed - drainStarted;
        }
    }

    [Theory]
    [InlineData(67)]
    [InlineData(68)]
    public async Task Under_five_percent_message_loss_unanswered_increments_are_sent_again_instead_of_failing_at_the_timeout(int seed)
    {
        // The same seeded run twice, with and without resend-unanswered-after: a lost envelope or reply used to cost its
        // request a 503 at request-timeout; sent again, an increment is answered, and its operation id keeps it counted once.
        var withResend = await IncrementsUnderLoss(seed, Settings);
        var without = await IncrementsUnderLoss(seed, Settings with { ResendUnansweredAfter = TimeSpan.Zero });

        Assert.True(without.Unavailable.Count >= 100, $"seed {seed}: only {without.Unavailable.Count} 503s without resends; the loss did not bite");
        Assert.True(
            withResend.Unavailable.Count * 10 < without.Unavailable.Count,
            $"seed {seed}: {withResend.Unavailable.Count} 503s with resends against {without.Unavailable.Count} without: {string.Join(" | ", withResend.Unavailable.Take(5))}");
    }

    private static async Task<ShardedSimulation> IncrementsUnderLoss(int seed, ShardingSettings settings)
    {
        var lossy = new LinkFaults(DropRate: 0.05, MinDelay: TimeSpan.FromMilliseconds(1), MaxDelay: TimeSpan.FromMilliseconds(3));
        var cluster = await StartWorkers(seed, workers: 3, fronts: 1, faults: lossy, settings: settings);
        cluster.CreateSessionsRetrying(200, Long);
        cluster.Simulation.RunUntil(cluster.IsSettled, Long, "initial allocation settled");
        using (cluster.RunLoad(perStep: 3, TimeSpan.FromMilliseconds(10)))
        {
            cluster.Simulation.RunFor(TimeSpan.FromSeconds(20));
        }

        cluster.WaitForAnswers(Long);
        Assert.Empty(cluster.Errors);
        cluster.VerifySessions(Long);
        return cluster;
    }

    [Theory]
    [InlineData(71)]
    [InlineData(72)]
    [InlineData(73)]
    public async Task A_partition_downs_the_minority_before_its_shards_get_new_homes(int seed)
    {
        var cluster = await StartWorkers(seed, workers: 5, replication: ReplicationSettings.None);
        cluster.CreateSessionsAndSettle(300, Long);
        NodeAddress[] majority = [ClusterSimulation.AddressOf(0), ClusterSimulation.AddressOf(1), ClusterSimulation.AddressOf(2)];
        NodeAddress[] minority = [ClusterSimulation.AddressOf(3), ClusterSimulation.AddressOf(4)];

        foreach (var node in minority)
        {
            cluster.LoseShardsOf(node);
            cluster.TakeOutOfRotation(node);
        }

        using (cluster.RunLoad(perStep: 3, TimeSpan.FromMilliseconds(10)))
        {
            cluster.Simulation.Partition(majority, minority);
            cluster.Simulation.RunUntil(
                () => minority.All(node => !cluster[node].IsRunning) && cluster.IsSettled() &&
                      cluster.ShardCounts().Values.Sum() == 30,
                Long,
                "minority shut down and its shards re-homed on the majority");
        }

        cluster.WaitForAnswers(Long);
        Assert.Empty(cluster.Errors);
        cluster.VerifySessions(Long);
    }

    [Theory]
    [InlineData(81)]
    [InlineData(82)]
    public async Task Capacity_weights_set_each_worker_s_share(int seed)
    {
        var cluster = new ShardedSimulation(new ClusterSimulation(seed), Settings);
        await cluster.StartAsync(0, settings: Settings with { CapacityWeight = 2 });
        await cluster.StartAsync(1);
        await cluster.StartAsync(2);
        await cluster.StartAsync(3, settings: Settings with { CapacityWeight = 0 });
        cluster.Simulation.RunUntil(() => cluster.Simulation.Running.All(node => node.SeesAllUp(4)), Long, "4 nodes up");
        cluster.CreateSessions(100, Long);

        cluster.Simulation.RunUntil(
            () => cluster.IsSettled() && cluster.ShardCounts() is var counts &&
                  counts[ClusterSimulation.AddressOf(0)] == 15 && counts[ClusterSimulation.AddressOf(3)] == 0,
            Long,
            "30 shards split 15/7-8/7-8/0 by weights 2:1:1:0");

        var counts = cluster.ShardCounts();
        Assert.Equal(15, counts[ClusterSimulation.AddressOf(1)] + counts[ClusterSimulation.AddressOf(2)]);
        Assert.InRange(counts[ClusterSimulation.AddressOf(1)], 7, 8);
        cluster.VerifySessions(Long);
    }
}
