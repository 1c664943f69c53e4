using Microsoft.Extensions.Logging;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Sharding;
using SessionCluster.Actors.Tests.Remoting;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>What a node logs about its shards' moves: a line per batch and per other node, once the batch is over.</summary>
public sealed class RegionTransitionLogTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly NodeAddress B = new("b", 1);
    private static readonly NodeAddress C = new("c", 1);

    [Fact]
    public void Hand_offs_are_one_line_per_new_home_once_none_is_under_way()
    {
        var logger = new CapturingLogger();
        var log = new RegionTransitionLog(logger);

        log.HandedOff(7, B, 10, keptAsBackup: true, T0);
        log.Flush(() => true, () => false, T0);
        log.HandedOff(5, B, 3, keptAsBackup: false, T0.AddSeconds(1));
        log.HandedOff(6, B, 0, keptAsBackup: true, T0.AddSeconds(1));
        log.HandedOff(9, C, 4, keptAsBackup: false, T0.AddSeconds(1));
        log.Flush(() => true, () => false, T0.AddSeconds(1));
        Assert.Empty(InformationLines(logger));

        log.Flush(() => false, () => false, T0.AddSeconds(2));

        Assert.Equal(
            [
                $"3 shards handed off to {B}: 5-7; 13 sessions; 2 of these shards kept here as backup copies",
                $"1 shards handed off to {C}: 9; 4 sessions; 0 of these shards kept here as backup copies",
            ],
            InformationLines(logger));
        Assert.Equal(4, logger.Entries.Count(entry => entry.Level == LogLevel.Debug));
        Assert.False(log.HasPending);
        log.Flush(() => false, () => false, T0.AddSeconds(3));
        Assert.Equal(2, InformationLines(logger).Count);
    }

    [Fact]
    public void A_long_run_of_hand_offs_is_logged_as_far_as_it_got_at_least_every_ten_seconds()
    {
        var logger = new CapturingLogger();
        var log = new RegionTransitionLog(logger);
        log.HandedOff(1, B, 1, keptAsBackup: false, T0);
        log.HandedOff(2, B, 1, keptAsBackup: false, T0.AddSeconds(9));

        log.Flush(() => true, () => false, T0 + RegionTransitionLog.LineAtLeastEvery - TimeSpan.FromTicks(1));
        Assert.True(log.HasPending);
        log.Flush(() => true, () => false, T0 + RegionTransitionLog.LineAtLeastEvery);

        Assert.Equal([$"2 shards handed off to {B}: 1-2; 2 sessions; 0 of these shards kept here as backup copies"], InformationLines(logger));
        Assert.False(log.HasPending);
    }

    [Fact]
    public void Shards_started_are_one_line_once_none_is_on_its_way_and_empty_ones_only_at_Debug()
    {
        var logger = new CapturingLogger();
        var log = new RegionTransitionLog(logger);
        log.Started(new ShardStarted(4, HandedOver: 2, BackedUp: 0, Sessions: 2), T0);
        log.Flush(() => false, () => true, T0);
        log.Started(new ShardStarted(3, HandedOver: 1, BackedUp: 1, Sessions: 1), T0.AddSeconds(1));
        log.Flush(() => false, () => true, T0.AddSeconds(1));
        Assert.Empty(InformationLines(logger));

        log.Flush(() => false, () => false, T0.AddSeconds(2));
        log.Started(new ShardStarted(9, HandedOver: 0, BackedUp: 0, Sessions: 0), T0.AddSeconds(3));
        log.Flush(() => false, () => false, T0.AddSeconds(3));

        Assert.Equal(["2 shards started: 3-4; 3 sessions, from 3 handed over and 1 in this node's backup copies"], InformationLines(logger));
        Assert.Contains(logger.Entries, entry => entry.Level == LogLevel.Debug && entry.Message.StartsWith("1 shards started: 9;", StringComparison.Ordinal));
    }

    [Fact]
    public void Backup_copies_are_one_line_once_they_stop_arriving_and_all_are_whole_or_after_ten_seconds()
    {
        var logger = new CapturingLogger();
        var log = new RegionTransitionLog(logger);
        var asked = 0;
        IReadOnlyList<(int Shard, int Sessions, bool Whole)> held = [(3, 2, true), (5, 1, false)];
        IReadOnlyList<(int, int, bool)> Copies()
        {
            asked++;
            return held;
        }

        log.FlushBackupCopies(Copies, T0);
        Assert.Equal(0, asked);   // nothing completed: the copies are not even looked at
        log.BackupCopyCompleted(3, T0);
        log.FlushBackupCopies(Copies, T0 + RegionTransitionLog.BackupCopiesQuietFor - TimeSpan.FromTicks(1));
        Assert.Equal(0, asked);
        log.FlushBackupCopies(Copies, T0 + RegionTransitionLog.BackupCopiesQuietFor);   // quiet, but 5 is partial
        Assert.Empty(InformationLines(logger));

        held = [(3, 2, true), (5, 1, true)];
        log.BackupCopyCompleted(5, T0.AddSeconds(2));
        log.FlushBackupCopies(Copies, T0.AddSeconds(3));
        Assert.Equal(["2 backup copies completed; this node holds 2 (2 whole): 3, 5; 3 sessions"], InformationLines(logger));

        held = [(3, 2, true), (5, 1, true), (8, 0, false)];
        log.BackupCopyCompleted(7, T0.AddSeconds(4));   // then 7 is dropped, and 8 never completes (its home died)
        log.FlushBackupCopies(Copies, T0.AddSeconds(5));
        Assert.Single(InformationLines(logger));
        log.FlushBackupCopies(Copies, T0.AddSeconds(4) + RegionTransitionLog.LineAtLeastEvery);
        Assert.Equal("1 backup copies completed; this node holds 3 (2 whole): 3, 5, 8; 3 sessions", InformationLines(logger)[^1]);
    }

    [Fact]
    public void Shards_dropped_together_are_one_line_and_empty_ones_only_at_Debug()
    {
        var logger = new CapturingLogger();
        var log = new RegionTransitionLog(logger);

        log.Dropped([(6, 2), (4, 0), (5, 1)]);
        log.Dropped([(9, 0)]);

        Assert.Equal(["3 shards dropped: 4-6; 3 sessions no longer served here"], InformationLines(logger));
        Assert.Contains(logger.Entries, entry => entry.Level == LogLevel.Debug && entry.Message == "1 shards dropped: 9; 0 sessions no longer served here");
    }

    private static List<string> InformationLines(CapturingLogger logger) =>
        [.. logger.Entries.Where(entry => entry.Level == LogLevel.Information).Select(entry => entry.Message)];
}
