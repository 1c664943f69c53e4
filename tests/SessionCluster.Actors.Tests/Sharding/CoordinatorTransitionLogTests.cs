using Microsoft.Extensions.Logging;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Sharding;
using SessionCluster.Actors.Tests.Remoting;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>What the coordinator's node logs about allocations: first allocations as one line per home.</summary>
public sealed class CoordinatorTransitionLogTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly UniqueAddress A = new(new NodeAddress("a", 1), 1);
    private static readonly UniqueAddress B = new(new NodeAddress("b", 1), 2);

    [Theory]
    [InlineData(new int[0], "")]
    [InlineData(new[] { 7 }, "7")]
    [InlineData(new[] { 0, 1, 2, 3 }, "0-3")]
    [InlineData(new[] { 0, 1, 3, 5, 6, 9 }, "0-1, 3, 5-6, 9")]
    public void Ranges_CompressesRuns(int[] sorted, string expected) =>
        Assert.Equal(expected, CoordinatorTransitionLog.Ranges(sorted));

    [Fact]
    public void FirstAllocation_IsOneLinePerHome_NotOnePerShard()
    {
        var coordinator = new ShardCoordinator(A, ShardingSettings.Default with { NumberOfShards = 10 });
        var logger = new CapturingLogger();
        var log = new CoordinatorTransitionLog(logger);
        CurrentClusterState state = new(
            A, [new Member(A, MemberStatus.Up, ["worker"], 1), new Member(B, MemberStatus.Up, ["worker"], 2)], [], A, IsConverged: true);
        coordinator.MembershipChanged(state, T0);
        coordinator.Receive(A, new RegionReport(coordinator.Reign, true, 1, [], 0), T0);
        coordinator.Receive(B, new RegionReport(coordinator.Reign, true, 1, [], 0), T0);
        log.Observe(coordinator);   // the new reign's rebuilt (empty) table

        coordinator.Tick(T0.AddSeconds(1));
        log.Observe(coordinator);

        Assert.Equal(10, coordinator.Table.Count);
        var lines = logger.Entries.Where(entry => entry.Message.Contains("allocated to", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, lines.Count);
        Assert.All(lines, line => Assert.Equal(LogLevel.Information, line.Level));
        foreach (var home in new[] { A, B })
        {
            var shards = coordinator.Table.Where(entry => entry.Value.Home == home).Select(entry => entry.Key).Order().ToList();
            Assert.Contains(lines, line => line.Message == $"{shards.Count} shards allocated to {home.Address}: {CoordinatorTransitionLog.Ranges(shards)}");
        }
    }
}
