using Microsoft.Extensions.Logging;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Sharding;
using SessionCluster.Actors.Tests.Remoting;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>What an old home logs about the shards it handed off: one line per new home once its hand-offs are done.</summary>
public sealed class HandOffLogTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly NodeAddress B = new("b", 1);
    private static readonly NodeAddress C = new("c", 1);

    [Fact]
    public void Hand_offs_are_one_line_per_new_home_once_none_is_under_way()
    {
        var logger = new CapturingLogger();
        var log = new HandOffLog(logger);

        log.Completed(7, B, 10, keptAsBackup: true, T0);
        log.Flush(underWay: true, T0);
        log.Completed(5, B, 3, keptAsBackup: false, T0.AddSeconds(1));
        log.Completed(6, B, 0, keptAsBackup: true, T0.AddSeconds(1));
        log.Completed(9, C, 4, keptAsBackup: false, T0.AddSeconds(1));
        log.Flush(underWay: true, T0.AddSeconds(1));
        Assert.DoesNotContain(logger.Entries, entry => entry.Level >= LogLevel.Information);

        log.Flush(underWay: false, T0.AddSeconds(2));

        Assert.Equal(
            [
                $"3 shards handed off to {B}: 5-7; 13 sessions; 2 of these shards kept here as backup copies",
                $"1 shards handed off to {C}: 9; 4 sessions; 0 of these shards kept here as backup copies",
            ],
            logger.Entries.Where(entry => entry.Level == LogLevel.Information).Select(entry => entry.Message));
        Assert.Equal(4, logger.Entries.Count(entry => entry.Level == LogLevel.Debug));
        Assert.False(log.HasPending);
        log.Flush(underWay: false, T0.AddSeconds(3));
        Assert.Equal(2, logger.Entries.Count(entry => entry.Level == LogLevel.Information));
    }

    [Fact]
    public void A_long_run_of_hand_offs_is_logged_as_far_as_it_got_at_least_every_ten_seconds()
    {
        var logger = new CapturingLogger();
        var log = new HandOffLog(logger);
        log.Completed(1, B, 1, keptAsBackup: false, T0);
        log.Completed(2, B, 1, keptAsBackup: false, T0.AddSeconds(9));

        log.Flush(underWay: true, T0 + HandOffLog.LineAtLeastEvery - TimeSpan.FromTicks(1));
        Assert.True(log.HasPending);
        log.Flush(underWay: true, T0 + HandOffLog.LineAtLeastEvery);

        var line = Assert.Single(logger.Entries, entry => entry.Level == LogLevel.Information);
        Assert.Equal($"2 shards handed off to {B}: 1-2; 2 sessions; 0 of these shards kept here as backup copies", line.Message);
        Assert.False(log.HasPending);
    }
}
