using System.Collections.Immutable;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sharding;
using SessionCluster.TestKit;
using static SessionCluster.Actors.Tests.Sharding.ShardingSimulationTests;

namespace SessionCluster.Actors.Tests.Replication;

/// <summary>Whole clusters replicating as production does, in one process on a manual clock, under steady increments
/// (and, in some, sets): homes crash and every acknowledged write must still be there, on the promoted backups.</summary>
/// <remarks>The single-writer invariants are checked after every 10 ms step; the ledger (see
/// <see cref="ShardedSimulation"/>) checks every counter at the end: at least its acknowledged increments, at most
/// those plus the ones whose outcome is unknown.</remarks>
public sealed class ReplicationSimulationTests
{
    // Slices of about five sessions, so that copying a shard takes several round trips.
    private static readonly ShardingSettings SmallSlices = Settings with { TransferChunkBytes = 256 };

    // One slice in flight at a time: a copy stays unfinished for long enough to crash a node in the middle of it.
    private static readonly ReplicationSettings OneSliceAtATime = ReplicationSettings.Default with { CopyWindow = 1 };

    [Theory]
    [InlineData(101)]
    [InlineData(102)]
    [InlineData(103)]
    public async Task A_crashed_home_s_shards_are_served_by_their_backups_with_every_acknowledged_increment(int seed)
    {
        var cluster = await StartReplicated(seed, workers: 4, fronts: 1);
        var victim = HomeOfMost(cluster, except: cluster.ActiveCoordinator.Node.Self);
        var before = Table(cluster);
        Assert.InRange(before.Values.Count(placement => placement.Home.Equals(victim)), 7, 8);

        using (Load(cluster))
        using (cluster.RunSets(perStep: 5, TimeSpan.FromMilliseconds(10)))
        {
            cluster.Simulation.RunFor(TimeSpan.FromSeconds(1));
            cluster.Crash(victim.Address);
            cluster.Simulation.RunUntil(() => Table(cluster).Values.All(placement => !placement.Home.Equals(victim)), Long, $"{victim}'s shards re-homed");
            var promoted = Table(cluster);
            foreach (var (shard, placement) in before.Where(entry => entry.Value.Home.Equals(victim)))
            {
                Assert.Equal(placement.Backups.Single(), promoted[shard].Home);
            }

            Restore(cluster, "after the crash");
        }

        Assert.True(cluster.AcknowledgedIncrements > 1000, $"{cluster.AcknowledgedIncrements} increments acknowledged");
        Assert.True(cluster.AcknowledgedSets > 1000, $"{cluster.AcknowledgedSets} sets acknowledged");
        AssertNothingAcknowledgedLost(cluster);
    }

    [Theory]
    [InlineData(106)]
    [InlineData(107)]
    public async Task Sessions_created_with_their_first_increment_while_a_home_crashes_keep_it(int seed)
    {
        // A creation that carries its first write is sent again to the next home when its home dies before answering:
        // no acknowledged creation may be lost, nor its increment (a repeat counting it twice is checked in
        // SessionCommandsTests, the window for one here being a few milliseconds).
        var cluster = await StartReplicated(seed, workers: 4, fronts: 1);
        var victim = HomeOfMost(cluster, except: cluster.ActiveCoordinator.Node.Self);

        using (Load(cluster))
        using (cluster.RunCreations(perStep: 10, TimeSpan.FromMilliseconds(10)))
        {
            cluster.Simulation.RunFor(TimeSpan.FromSeconds(1));
            cluster.Crash(victim.Address);
            Restore(cluster, "after the crash");
        }

        Assert.True(cluster.CreatedWithIncrement > 2000, $"{cluster.CreatedWithIncrement} sessions created with an increment");
        AssertNothingAcknowledgedLost(cluster);
    }

    [Theory]
    [InlineData(111)]
    [InlineData(112)]
    [InlineData(113)]
    public async Task A_crash_while_a_joining_worker_copies_its_new_shards_to_their_backups_loses_no_acknowledged_increment(int seed)
    {
        var cluster = await StartReplicated(seed, workers: 3, fronts: 1, OneSliceAtATime);

        using (Load(cluster))
        {
            var joined = await cluster.StartAsync(5);
            var crashed = CrashAsSoonAs(cluster, () => joined.CopiesInFlight > 0 ? joined : null, "the joining worker copying shards it took over to their backups");
            Restore(cluster, $"after {crashed.Node.Self} crashed with copies in flight");
        }

        AssertNothingAcknowledgedLost(cluster);
    }

    [Theory]
    [InlineData(116)]
    [InlineData(117)]
    [InlineData(118)]
    public async Task A_worker_crashing_as_shards_are_handed_to_it_loses_no_acknowledged_set_or_increment_and_leaves_no_request_waiting(int seed)
    {
        // Sets, unlike increments, are never repeated on a node's own initiative (a late copy would undo a newer write):
        // a request the crashed joiner held, or one on its way to it, must follow its shard to the next home or fail
        // as "may have applied", never wait out its timeout or land after a newer write of the same session.
        var slowLinks = new LinkFaults(MinDelay: TimeSpan.FromMilliseconds(2), MaxDelay: TimeSpan.FromMilliseconds(6));
        var cluster = await StartReplicated(seed, workers: 3, fronts: 1, faults: slowLinks);

        using (Load(cluster))
        using (cluster.RunSets(perStep: 20, TimeSpan.FromMilliseconds(10)))
        {
            var joined = await cluster.StartAsync(5);
            CrashAsSoonAs(
                cluster,
                () => joined.HostedShards.Any() && cluster.Running.Any(host => host.Region.IsHandingOff && host.Region.BufferedCount > 0) ? joined : null,
                "the joining worker serving its first shard while an old home holds requests for another");
            Restore(cluster, "after the joining worker crashed");
        }

        Assert.True(cluster.AcknowledgedSets > 2000, $"{cluster.AcknowledgedSets} sets acknowledged");
        cluster.WaitForAnswers(Long);
        Assert.DoesNotContain(cluster.Unavailable, line => line.Contains("did not answer in time", StringComparison.Ordinal));
        AssertNothingAcknowledgedLost(cluster);
    }

    [Theory]
    [InlineData(131)]
    [InlineData(132)]
    [InlineData(133)]
    public async Task Requests_an_old_home_held_during_a_hand_off_follow_the_shard_when_its_new_home_dies_before_answering(int seed)
    {
        // Slow links into the joining worker keep what is sent to it in flight for 30 ms. An old home handing shards to
        // it holds the requests that reach it meanwhile; once the move is confirmed it lets them go, and the joiner is
        // crashed at that moment. Had the old home relayed them, nobody would track them (their senders believe them at
        // the old home), and a set, never repeated on a node's own initiative, would wait out its timeout.
        var cluster = await StartReplicated(seed, workers: 3, fronts: 1);
        var slowIn = new LinkFaults(MinDelay: TimeSpan.FromMilliseconds(30), MaxDelay: TimeSpan.FromMilliseconds(30));
        var joining = ClusterSimulation.AddressOf(5);
        foreach (var host in cluster.Running)
        {
            cluster.Simulation.Network.SetFaults(host.Node.Address, joining, slowIn);
        }

        using (Load(cluster))
        using (cluster.RunSets(perStep: 20, TimeSpan.FromMilliseconds(10)))
        {
            var joined = await cluster.StartAsync(5);
            var held = new Dictionary<NodeAddress, int>();
            CrashAsSoonAs(
                cluster,
                () =>
                {
                    var released = false;
                    foreach (var host in cluster.Running.Where(host => host != joined))
                    {
                        released |= held.GetValueOrDefault(host.Node.Address) > 0 && host.Region.BufferedCount == 0;
                        held[host.Node.Address] = host.Region.IsHandingOff ? host.Region.BufferedCount : 0;
                    }

                    return released ? joined : null;
                },
                "an old home letting go of the requests it held while handing a shard to the joining worker");
            Restore(cluster, "after the joining worker crashed");
        }

        cluster.WaitForAnswers(Long);
        Assert.DoesNotContain(cluster.Unavailable, line => line.Contains("did not answer in time", StringComparison.Ordinal));
        AssertNothingAcknowledgedLost(cluster);
    }

    [Theory]
    [InlineData(121)]
    [InlineData(122)]
    [InlineData(123)]
    [InlineData(124)]
    public async Task Under_loss_duplicates_and_reordering_a_crashed_home_loses_no_acknowledged_increment(int seed)
    {
        var lossy = new LinkFaults(DropRate: 0.05, MinDelay: TimeSpan.FromMilliseconds(1), MaxDelay: TimeSpan.FromMilliseconds(4));
        var cluster = await StartReplicated(seed, workers: 4, fronts: 1, faults: lossy, duplicateRate: 0.05);
        var victim = HomeOfMost(cluster, except: cluster.ActiveCoordinator.Node.Self);

        using (Load(cluster))
        {
            cluster.Simulation.RunFor(TimeSpan.FromSeconds(2));
            cluster.Crash(victim.Address);
            Restore(cluster, "despite loss");
        }

        Assert.True(cluster.Simulation.Network.Dropped > 500 && cluster.Duplicated > 200, $"{cluster.Simulation.Network.Dropped} messages dropped, {cluster.Duplicated} duplicated");
        AssertNothingAcknowledgedLost(cluster);
    }

    [Theory]
    [InlineData(131)]
    [InlineData(132)]
    [InlineData(133)]
    public async Task The_coordinator_s_node_crashing_with_another_home_loses_no_increment_acknowledged_by_all_copies(int seed)
    {
        var replication = ReplicationSettings.Default with { ReplicationFactor = 3, WriteConsistency = WriteConsistency.All };
        var cluster = await StartReplicated(seed, workers: 5, fronts: 1, replication);
        var coordinator = cluster.ActiveCoordinator.Node.Self;
        var other = HomeOfMost(cluster, except: coordinator);
        var before = Table(cluster);

        using (Load(cluster))
        {
            cluster.Simulation.RunFor(TimeSpan.FromSeconds(1));
            cluster.Crash(coordinator.Address);
            cluster.Crash(other.Address);
            cluster.Simulation.RunUntil(
                () => cluster.Running.Any(host => host.Coordinator is { Phase: CoordinatorPhase.Active }),
                Long,
                "a new coordinator rebuilt the table");
            var rebuilt = Table(cluster);
            foreach (var (shard, placement) in before.Where(entry => entry.Value.Home.Equals(coordinator) || entry.Value.Home.Equals(other)))
            {
                Assert.Contains(rebuilt[shard].Home, placement.Backups);
            }

            Restore(cluster, "(replication-factor 3) after both crashes");
        }

        Assert.NotEqual(coordinator, cluster.ActiveCoordinator.Node.Self);
        AssertNothingAcknowledgedLost(cluster);
    }

    [Theory]
    [InlineData(141)]
    [InlineData(142)]
    public async Task With_write_consistency_one_a_home_cut_from_its_backups_then_crashed_loses_no_acknowledged_increment(int seed)
    {
        var (cluster, wrong, _) = await CutThenCrash(seed, WriteConsistency.One);

        Assert.Empty(wrong);
        Assert.Contains(cluster.Unavailable, line => line.Contains("the node the request entered through stopped", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(141)]
    [InlineData(142)]
    public async Task With_write_consistency_local_a_home_cut_from_its_backups_then_crashed_loses_the_increments_it_acknowledged_meanwhile(int seed)
    {
        var (_, wrong, crashedShards) = await CutThenCrash(seed, WriteConsistency.Local);

        // As documented for local: answered at once, the deltas following; a crash before they arrive loses the write.
        Assert.NotEmpty(wrong);
        Assert.All(wrong, session =>
        {
            Assert.Contains(session.Shard, crashedShards);
            Assert.True(session.Lost > 0, session.ToString());
        });
    }

    [Theory]
    [InlineData(151)]
    [InlineData(152)]
    [InlineData(153)]
    public async Task Two_crashes_in_a_row_with_time_to_re_replicate_between_them_lose_no_acknowledged_increment(int seed)
    {
        var cluster = await StartReplicated(seed, workers: 5, fronts: 1);

        using (Load(cluster))
        {
            for (var crash = 1; crash <= 2; crash++)
            {
                cluster.Simulation.RunFor(TimeSpan.FromSeconds(1));
                var victim = HomeOfMost(cluster, except: cluster.ActiveCoordinator.Node.Self);
                cluster.Crash(victim.Address);
                Restore(cluster, $"after crash {crash} ({victim})");
            }
        }

        Assert.Equal(3, cluster.Running.Count(host => host.Region.HostsShards));
        AssertNothingAcknowledgedLost(cluster);
    }

    [Theory]
    [InlineData(161)]
    [InlineData(162)]
    [InlineData(163)]
    public async Task A_crash_of_a_home_copying_to_the_backup_that_replaces_a_draining_one_loses_no_acknowledged_increment(int seed)
    {
        var cluster = await StartReplicated(seed, workers: 4, fronts: 1, OneSliceAtATime);
        var leaving = HomeOfMost(cluster, except: cluster.ActiveCoordinator.Node.Self).Address;

        using (Load(cluster))
        {
            cluster.TakeOutOfRotation(leaving);
            cluster[leaving].Drain();
            CrashAsSoonAs(
                cluster,
                () => cluster.Running.FirstOrDefault(host => !host.Node.Address.Equals(leaving) && host.CopiesInFlight > 0),
                "a worker copying a shard to the backup replacing the draining one");
            cluster.Simulation.RunUntil(() => cluster[leaving].Region.HoldsNothing && cluster.IsReplicated(), Long, "drained, and replication restored after the crash");
        }

        AssertNothingAcknowledgedLost(cluster);
    }

    [Theory]
    [InlineData(174)]
    [InlineData(172)]
    [InlineData(173)]
    public async Task A_crash_of_the_backup_a_drained_shard_moved_onto_while_it_copies_to_a_new_backup_loses_no_acknowledged_increment(int seed)
    {
        var cluster = await StartReplicated(seed, workers: 3, fronts: 1, OneSliceAtATime);
        var leaving = HomeOfMost(cluster, except: cluster.ActiveCoordinator.Node.Self);
        var before = Table(cluster);

        // A shard of the draining worker now served by what was its backup, which copies it to a new backup; the
        // draining worker still holds the whole shard as a backup meanwhile.
        (int Shard, ShardPlacement Placement)? MovedOntoItsBackup() =>
            Table(cluster).Where(entry => before[entry.Key].Home.Equals(leaving) && before[entry.Key].Backups.Contains(entry.Value.Home) &&
                                          entry.Value.Backups.Any(backup => !entry.Value.Synced.Contains(backup)))
                .Select(entry => ((int, ShardPlacement)?)(entry.Key, entry.Value)).FirstOrDefault();

        SimulatedShardHost HomeKeptWholeBy(ShardPlacement placement)
        {
            Assert.Contains(leaving, placement.Synced);
            return cluster[placement.Home.Address];
        }

        using (Load(cluster))
        {
            cluster.TakeOutOfRotation(leaving.Address);
            cluster[leaving.Address].Drain();
            var crashed = CrashAsSoonAs(cluster, () => MovedOntoItsBackup() is { } moved ? HomeKeptWholeBy(moved.Placement) : null, "a drained shard moved onto its backup, copying to a new one");
            cluster.Simulation.RunUntil(() => cluster[leaving.Address].Region.HoldsNothing && cluster.IsSettled(), Long, $"{crashed.Node.Self}'s shards re-homed and the drain finished");
        }

        AssertNothingAcknowledgedLost(cluster);
    }

    private static async Task<ShardedSimulation> StartReplicated(
        int seed, int workers, int fronts, ReplicationSettings? replication = null, LinkFaults? faults = null, double duplicateRate = 0)
    {
        var cluster = await StartWorkers(seed, workers, fronts, faults, replication ?? ReplicationSettings.Default, SmallSlices);
        cluster.DuplicateRate = duplicateRate;
        cluster.CreateSessionsRetrying(300, Long);
        cluster.Simulation.RunUntil(() => IsBalanced(cluster) && cluster.IsReplicated(), Long, "shards balanced and replicated");
        return cluster;
    }

    private static IDisposable Load(ShardedSimulation cluster) => cluster.RunLoad(perStep: 5, TimeSpan.FromMilliseconds(10));

    /// <summary>Steps a millisecond at a time until <paramref name="victim"/> names a node, and crashes it at once.</summary>
    private static SimulatedShardHost CrashAsSoonAs(ShardedSimulation cluster, Func<SimulatedShardHost?> victim, string what)
    {
        SimulatedShardHost? found = null;
        cluster.Simulation.StepSize = TimeSpan.FromMilliseconds(1);
        cluster.Simulation.RunUntil(() => (found = victim()) is not null, Long, what);
        cluster.Crash(found!.Node.Address);
        cluster.Simulation.StepSize = TimeSpan.FromMilliseconds(10);
        return found;
    }

    /// <summary>Waits until every shard has its backups again, whole, then lets the load run a second longer.</summary>
    private static void Restore(ShardedSimulation cluster, string when)
    {
        cluster.Simulation.RunUntil(cluster.IsReplicated, Long, "replication factor restored " + when);
        cluster.Simulation.RunFor(TimeSpan.FromSeconds(1));
    }

    /// <summary>Every request answered, none with an error, no shard written off, and every counter within what the
    /// ledger allows: at least its acknowledged increments.</summary>
    private static void AssertNothingAcknowledgedLost(ShardedSimulation cluster)
    {
        cluster.WaitForAnswers(Long);
        Assert.Empty(cluster.Errors);
        Assert.Empty(cluster.LostShards);
        cluster.VerifySessions(Long);
    }

    /// <summary>Cuts the links from the home of the most shards to every other node (it still hears them), keeps the
    /// load on for a second, then crashes it; returns what the read-back found wrong and the shards it was home of.</summary>
    private static async Task<(ShardedSimulation Cluster, IReadOnlyList<SessionDiscrepancy> Wrong, HashSet<int> CrashedShards)> CutThenCrash(
        int seed, WriteConsistency consistency)
    {
        var cluster = await StartReplicated(seed, workers: 4, fronts: 1, ReplicationSettings.Default with { WriteConsistency = consistency });
        var victim = HomeOfMost(cluster, except: cluster.ActiveCoordinator.Node.Self);
        var crashedShards = Table(cluster).Where(entry => entry.Value.Home.Equals(victim)).Select(entry => entry.Key).ToHashSet();
        var others = cluster.Simulation.AllIncarnations.Select(node => node.Address).Where(address => !address.Equals(victim.Address)).Distinct().ToList();

        using (Load(cluster))
        {
            cluster.Simulation.RunFor(TimeSpan.FromSeconds(1));
            cluster.Simulation.Network.PartitionOneWay([victim.Address], others);
            cluster.Simulation.RunFor(TimeSpan.FromSeconds(1));
            cluster.Crash(victim.Address);
            cluster.Simulation.RunUntil(cluster.IsReplicated, Long, "replication factor restored after the crash");
        }

        cluster.WaitForAnswers(Long);
        Assert.Empty(cluster.Errors);
        return (cluster, cluster.CheckSessions(Long), crashedShards);
    }

    /// <summary>Every worker serves as many shards as any other, give or take one.</summary>
    private static bool IsBalanced(ShardedSimulation cluster)
    {
        var counts = cluster.Running.Where(host => host.Region.HostsShards).Select(host => cluster.ShardCounts()[host.Node.Address]).ToList();
        if (counts.Max() - counts.Min() > 1)
        {
            return false;
        }

        // The backups too: spread evenly, and none being replaced (the coordinator evens them out after the homes).
        var table = Table(cluster);
        var copies = cluster.Running.Where(host => host.Region.HostsShards)
            .Select(host => table.Values.Count(placement => placement.Backups.Any(backup => backup.Address.Equals(host.Node.Address)))).ToList();
        var width = table.Values.Select(placement => placement.Backups.Length).Distinct().Count();
        return width <= 1 && copies.Max() - copies.Min() <= 1;
    }

    private static ImmutableDictionary<int, ShardPlacement> Table(ShardedSimulation cluster) =>
        cluster.ActiveCoordinator.Coordinator!.Table.ToImmutableDictionary();

    /// <summary>The worker that is home to the most shards, the coordinator's node left aside.</summary>
    private static UniqueAddress HomeOfMost(ShardedSimulation cluster, UniqueAddress except) =>
        Table(cluster).Values.Select(placement => placement.Home).Where(home => !home.Equals(except))
            .GroupBy(home => home).OrderByDescending(group => group.Count()).ThenBy(group => group.Key.ToString(), StringComparer.Ordinal).First().Key;
}
