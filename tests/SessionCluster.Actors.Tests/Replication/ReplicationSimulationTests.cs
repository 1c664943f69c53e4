using System.Collections.Immutable;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sharding;
using SessionCluster.TestKit;
using static SessionCluster.Actors.Tests.Sharding.ShardingSimulationTests;

namespace SessionCluster.Actors.Tests.Replication;

/// <summary>Whole clusters replicating as production does, in one process on a manual clock, under steady increments:
/// homes crash and every acknowledged increment must still be there, on the promoted backups.</summary>
/// <remarks>The single-writer invariants are checked after every 10 ms step; the ledger (see
/// <see cref="ShardedSimulation"/>) checks every counter at the end: at least its acknowledged increments, at most
/// those plus the ones whose outcome is unknown.</remarks>
public sealed class ReplicationSimulationTests
{
    [Theory]
    [InlineData(101)]
    [InlineData(102)]
    [InlineData(103)]
    public async Task A_crashed_home_s_shards_are_served_by_their_backups_with_every_acknowledged_increment(int seed)
    {
        var cluster = await StartReplicated(seed, workers: 4, fronts: 1);
        var coordinator = cluster.ActiveCoordinator.Node.Self;
        var victim = HomeOfMost(cluster, except: coordinator);
        var before = Table(cluster);

        using (cluster.RunLoad(perStep: 5, TimeSpan.FromMilliseconds(10)))
        {
            cluster.Simulation.RunFor(TimeSpan.FromSeconds(1));
            cluster.Crash(victim.Address);
            cluster.Simulation.RunUntil(() => Table(cluster).Values.All(placement => !placement.Home.Equals(victim)), Long, $"{victim}'s shards re-homed");
            var promoted = Table(cluster);
            foreach (var (shard, placement) in before.Where(entry => entry.Value.Home.Equals(victim)))
            {
                Assert.Equal(placement.Backups.Single(), promoted[shard].Home);
            }

            cluster.Simulation.RunUntil(cluster.IsReplicated, Long, "replication factor restored after the crash");
            cluster.Simulation.RunFor(TimeSpan.FromSeconds(1));
        }

        cluster.WaitForAnswers(Long);
        Assert.Empty(cluster.Errors);
        Assert.Empty(cluster.LostShards);
        Assert.True(cluster.AcknowledgedIncrements > 1000, $"{cluster.AcknowledgedIncrements} increments acknowledged");
        Assert.InRange(before.Count(entry => entry.Value.Home.Equals(victim)), 7, 8);
        cluster.VerifySessions(Long);
    }

    private static async Task<ShardedSimulation> StartReplicated(int seed, int workers, int fronts = 0, LinkFaults? faults = null, ReplicationSettings? replication = null)
    {
        var cluster = await StartWorkers(seed, workers, fronts, faults, replication ?? ReplicationSettings.Default);
        cluster.CreateSessionsRetrying(300, Long);
        cluster.Simulation.RunUntil(() => IsBalanced(cluster) && cluster.IsReplicated(), Long, "shards balanced and replicated");
        return cluster;
    }

    /// <summary>Every worker serves as many shards as any other, give or take one.</summary>
    private static bool IsBalanced(ShardedSimulation cluster)
    {
        var counts = cluster.Running.Where(host => host.Region.HostsShards).Select(host => cluster.ShardCounts()[host.Node.Address]).ToList();
        return counts.Max() - counts.Min() <= 1;
    }

    private static ImmutableDictionary<int, ShardPlacement> Table(ShardedSimulation cluster) =>
        cluster.ActiveCoordinator.Coordinator!.Table.ToImmutableDictionary();

    /// <summary>The worker that is home to the most shards, the coordinator's node left aside.</summary>
    private static UniqueAddress HomeOfMost(ShardedSimulation cluster, UniqueAddress except) =>
        Table(cluster).Values.Select(placement => placement.Home).Where(home => !home.Equals(except))
            .GroupBy(home => home).OrderByDescending(group => group.Count()).ThenBy(group => group.Key.ToString(), StringComparer.Ordinal).First().Key;
}
