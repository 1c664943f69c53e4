using Microsoft.Extensions.Logging;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Sharding;
using SessionCluster.Actors.Tests.Remoting;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>What the coordinator's node logs about allocations: first allocations, a round of moves, and the failover of
/// a dead home's shards, as one line per home or pair of homes.</summary>
public sealed class CoordinatorTransitionLogTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // Every shard may move in one round, so that a drain of A moves both of its shards together.
    private static readonly ShardingSettings OneRoundMoves = ShardingSettings.Default with { NumberOfShards = 4, RebalanceRelativeLimit = 1 };

    [Fact]
    public void FirstAllocation_IsOneLinePerHome_NotOnePerShard()
    {
        var coordinator = ShardCoordinatorTests.ActiveCoordinator(out _);
        var logger = new CapturingLogger();
        var log = new CoordinatorTransitionLog(logger);
        log.Observe(coordinator, T0);   // the new reign's rebuilt (empty) table

        coordinator.Tick(T0.AddSeconds(1));
        log.Observe(coordinator, T0.AddSeconds(1));

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
        log.Observe(coordinator, now);
        var before = coordinator.Table.ToDictionary(entry => entry.Key, entry => entry.Value);
        var orphans = before.Where(entry => entry.Value.Home == b).ToList();
        Assert.True(orphans.Count >= 2, $"b is home to {orphans.Count} shards");

        coordinator.MembershipChanged(ShardCoordinatorBackupTests.State((a, MemberStatus.Up), (c, MemberStatus.Up)), now.AddSeconds(1));
        log.Observe(coordinator, now.AddSeconds(1));

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

    [Fact]
    public void A_rounds_hand_offs_are_one_line_and_their_moves_one_line_once_the_last_is_confirmed()
    {
        var (a, b) = (ShardCoordinatorTests.A, ShardCoordinatorTests.B);
        var handOffs = DrainOfA(out var coordinator, out var reign, out var logger, out var log);
        var shards = ShardRanges.Format([.. handOffs.Select(handOff => handOff.Shard).Order()]);
        Assert.Equal([$"{handOffs.Count} shards handing off from {a.Address} to {b.Address}: {shards}"], InformationLines(logger));

        foreach (var handOff in handOffs.SkipLast(1))
        {
            coordinator.Receive(b, new ShardReceived(reign, handOff.Shard, handOff.Epoch), T0.AddSeconds(4));
            log.Observe(coordinator, T0.AddSeconds(4));
        }

        Assert.Single(InformationLines(logger));
        var last = handOffs[^1];
        coordinator.Receive(b, new ShardReceived(reign, last.Shard, last.Epoch), T0.AddSeconds(5));
        log.Observe(coordinator, T0.AddSeconds(5));

        var epochs = handOffs.Select(handOff => handOff.Epoch).ToList();
        var span = epochs.Min() == epochs.Max() ? $"epoch {epochs.Min()}" : $"epochs {epochs.Min()}-{epochs.Max()}";
        Assert.Equal($"{handOffs.Count} shards moved from {a.Address} to {b.Address}: {shards} ({span})", InformationLines(logger)[^1]);
        Assert.Equal(2, InformationLines(logger).Count);
        Assert.Equal(handOffs.Count, logger.Entries.Count(entry => entry.Level == LogLevel.Debug && entry.Message.Contains("moved", StringComparison.Ordinal)));
    }

    [Fact]
    public void Moves_still_going_on_are_logged_as_far_as_they_got_after_ten_seconds()
    {
        var (a, b) = (ShardCoordinatorTests.A, ShardCoordinatorTests.B);
        var handOffs = DrainOfA(out var coordinator, out var reign, out var logger, out var log);
        var first = handOffs[0];
        var confirmedAt = T0.AddSeconds(4);
        coordinator.Receive(b, new ShardReceived(reign, first.Shard, first.Epoch), confirmedAt);
        log.Observe(coordinator, confirmedAt);

        log.Observe(coordinator, confirmedAt + CoordinatorTransitionLog.MovedLineAtLeastEvery - TimeSpan.FromTicks(1));
        Assert.Single(InformationLines(logger));
        log.Observe(coordinator, confirmedAt + CoordinatorTransitionLog.MovedLineAtLeastEvery);

        Assert.Equal($"1 shards moved from {a.Address} to {b.Address}: {first.Shard} (epoch {first.Epoch})", InformationLines(logger)[^1]);
    }

    /// <summary>A coordinator over A and B with the shards allocated, observed; then A drains, and one round starts
    /// moving its shards (at least two) to B, observed at <c>T0 + 3 s</c>. The log holds only what the round logged.</summary>
    private static List<HandOffShard> DrainOfA(out ShardCoordinator coordinator, out long reign, out CapturingLogger logger, out CoordinatorTransitionLog log)
    {
        coordinator = ShardCoordinatorTests.ActiveCoordinator(out reign, OneRoundMoves);
        coordinator.Tick(T0.AddSeconds(1));
        logger = new CapturingLogger();
        log = new CoordinatorTransitionLog(logger);
        log.Observe(coordinator, T0.AddSeconds(1));
        logger.Clear();   // the new reign's table
        coordinator.Receive(ShardCoordinatorTests.A, new DrainRegion(true), T0.AddSeconds(1));
        var handOffs = coordinator.Tick(T0.AddSeconds(3)).OfType<SendToNode>().Select(send => send.Message).OfType<HandOffShard>().ToList();
        log.Observe(coordinator, T0.AddSeconds(3));
        Assert.True(handOffs.Count >= 2, $"{handOffs.Count} hand-offs in the round: one line per shard would pass too");
        return handOffs;
    }

    private static List<string> InformationLines(CapturingLogger logger) =>
        [.. logger.Entries.Where(entry => entry.Level == LogLevel.Information).Select(entry => entry.Message)];
}
