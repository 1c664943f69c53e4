using SessionCluster.Actors.Sharding;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>Shard ids in log lines: sorted ids as runs.</summary>
public sealed class ShardRangesTests
{
    [Theory]
    [InlineData(new int[0], "")]
    [InlineData(new[] { 7 }, "7")]
    [InlineData(new[] { 0, 1, 2, 3 }, "0-3")]
    [InlineData(new[] { 0, 1, 3, 5, 6, 9 }, "0-1, 3, 5-6, 9")]
    public void Format_CompressesRuns(int[] sorted, string expected) =>
        Assert.Equal(expected, ShardRanges.Format(sorted));
}
