using Microsoft.Extensions.Logging;
using SessionCluster.Actors.Sharding;
using SessionCluster.Actors.Tests.Remoting;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>What the coordinator's node logs about allocations: first allocations as one line per home.</summary>
public sealed class CoordinatorTransitionLogTests
{
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
        var coordinator = ShardCoordinatorTests.ActiveCoordinator(out _);
        var logger = new CapturingLogger();
        var log = new CoordinatorTransitionLog(logger);
        log.Observe(coordinator);   // the new reign's rebuilt (empty) table

        coordinator.Tick(new DateTimeOffset(2026, 1, 1, 0, 0, 1, TimeSpan.Zero));
        log.Observe(coordinator);

        Assert.Equal(4, coordinator.Table.Count);
        var lines = logger.Entries.Where(entry => entry.Message.Contains("allocated to", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, lines.Count);
        Assert.All(lines, line => Assert.Equal(LogLevel.Information, line.Level));
        foreach (var home in new[] { ShardCoordinatorTests.A, ShardCoordinatorTests.B })
        {
            var shards = coordinator.Table.Where(entry => entry.Value.Home == home).Select(entry => entry.Key).Order().ToList();
            Assert.Contains(lines, line => line.Message == $"{shards.Count} shards allocated to {home.Address}: {CoordinatorTransitionLog.Ranges(shards)}");
        }
    }
}
