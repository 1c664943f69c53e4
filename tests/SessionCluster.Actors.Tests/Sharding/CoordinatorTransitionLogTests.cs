using Microsoft.Extensions.Logging;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Sharding;
using SessionCluster.Actors.Tests.Remoting;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>What the coordinator's node logs about allocations: first allocations, and the failover of a dead home's
/// shards, as one line per home.</summary>
public sealed class CoordinatorTransitionLogTests
{
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
            Assert.Contains(lines, line => line.Message == $"{shards.Count} shards allocated to {home.Address}: {ShardRanges.Format(shards)}");
        }
    }

    [Fact]
    public void ADeadHomesShards_PromotedFromTheirBackups_AreOneWarningPerNewHome_NotOnePerShard()
    {
        var (a, b, c) = (ShardCoordinatorBackupTests.A, ShardCoordinatorBackupTests.B, ShardCoordinatorBackupTests.C);
        var coordinator = ShardCoordinatorBackupTests.Active(backups: 1, out var reign, a, b, c);
        var now = ShardCoordinatorBackupTests.T0;
        for (var round = 0; round < 3; round++)
        {
            ShardCoordinatorBackupTests.Settle(coordinator, reign, ref now);
        }

        var logger = new CapturingLogger();
        var log = new CoordinatorTransitionLog(logger);
        log.Observe(coordinator);
        var before = coordinator.Table.ToDictionary(entry => entry.Key, entry => entry.Value);
        var orphans = before.Where(entry => entry.Value.Home == b).ToList();
        Assert.True(orphans.Count >= 2, $"b is home to {orphans.Count} shards");

        coordinator.MembershipChanged(ShardCoordinatorBackupTests.State((a, MemberStatus.Up), (c, MemberStatus.Up)), now.AddSeconds(1));
        log.Observe(coordinator);

        var lines = logger.Entries.Where(entry => entry.Message.Contains("promoted", StringComparison.Ordinal)).ToList();
        var newHomes = orphans.GroupBy(entry => coordinator.Table[entry.Key].Home).ToList();
        Assert.True(orphans.Count > newHomes.Count, $"{orphans.Count} shards went to {newHomes.Count} homes: one line per shard would pass too");
        Assert.Equal(newHomes.Count, lines.Count);
        Assert.All(lines, line => Assert.Equal(LogLevel.Warning, line.Level));
        foreach (var group in newHomes)
        {
            var shards = group.Select(entry => entry.Key).Order().ToList();
            var epochs = group.Select(entry => coordinator.Table[entry.Key].Epoch).ToList();
            var span = epochs.Min() == epochs.Max() ? $"epoch {epochs.Min()}" : $"epochs {epochs.Min()}-{epochs.Max()}";
            Assert.Contains(lines, line => line.Message ==
                $"{shards.Count} shards of {b.Address} promoted to home from their backups on {group.Key.Address}: {ShardRanges.Format(shards)} ({span})");
        }
    }
}
