using SessionCluster.Cmd.Rendering;
using SessionCluster.Cmd.Tests.Support;
using SessionCluster.Cmd.Views;

namespace SessionCluster.Cmd.Tests;

public sealed class ShardWatchModelTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Between_OnlyChangedHomes_InShardOrder()
    {
        var before = Documents.Table("a:1", "a:1", "b:2", null);
        var after = Documents.Table("a:1", "c:3", "b:2", "a:1", "b:2");

        Assert.Equal([new ShardMove(1, "a:1", "c:3"), new ShardMove(3, null, "a:1"), new ShardMove(4, null, "b:2")], ShardMove.Between(before, after));
    }

    [Fact]
    public void Next_CountsMovesSinceStartAndRemembersTheLastMoveTime()
    {
        var one = Documents.Table("a:1", "a:1", "a:1");
        var two = Documents.Table("a:1", "b:2", "b:2");
        var frame = WatchFrame.First(one, null, Start);

        frame = frame.Next(one, two, null, Start.AddSeconds(1));
        frame = frame.Next(two, two, null, Start.AddSeconds(2));

        Assert.Equal(2, frame.MovedSinceStart);
        Assert.Empty(frame.LastMoves);
        Assert.Equal(Start.AddSeconds(1), frame.LastMoveAt);
        Assert.Equal(Start.AddSeconds(2), frame.ReadAt);
        Assert.Equal([1, 2], frame.Stats.Nodes.Select(node => node.Shards));
    }

    [Fact]
    public void Failed_KeepsTheDistributionAndSaysWhy()
    {
        var table = Documents.Table("a:1");
        var frame = WatchFrame.First(table, null, Start).Failed("node gone", Start.AddSeconds(1));

        Assert.Equal("node gone", frame.Error);
        Assert.Equal(1, frame.Stats.Nodes.Single().Shards);
        Assert.Null(frame.Next(table, table, null, Start.AddSeconds(2)).Error);
    }

    [Theory]
    [InlineData(0, 10, "")]
    [InlineData(10, 10, "████████████████████████████████████████")]
    [InlineData(5, 10, "████████████████████")]
    [InlineData(1, 320, "▏")]
    [InlineData(3, 64, "█▉")]
    public void Bar_ProportionalInEighths(int value, int widest, string expected)
    {
        Assert.Equal(expected, WatchRenderer.Bar(value, widest));
    }

    [Fact]
    public void Frame_NarrowConsole_AddressesKeptWhole()
    {
        var table = Documents.Table("127.0.0.1:4054", "127.0.0.1:4055");
        var writer = new StringWriter();
        var console = PlainConsole.Create(writer);
        console.Profile.Width = 80;

        console.Write(WatchRenderer.Frame(WatchFrame.First(table, Documents.Members, Start), "127.0.0.1:5000", 80));

        Assert.Contains("127.0.0.1:4054", writer.ToString(), StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:4055", writer.ToString(), StringComparison.Ordinal);
        Assert.All(writer.ToString().Split('\n'), line => Assert.True(line.TrimEnd().Length <= 80, line));
    }

    [Fact]
    public void Frame_ShowsNodesMovesAndError()
    {
        var one = Documents.Table("127.0.0.1:4054", "127.0.0.1:4054");
        var two = Documents.Table("127.0.0.1:4054", "127.0.0.1:4055");
        var frame = WatchFrame.First(one, Documents.Members, Start).Next(one, two, Documents.Members, Start.AddSeconds(1)).Failed("127.0.0.1:5000 did not answer", Start.AddSeconds(2));
        var moved = WatchFrame.First(one, Documents.Members, Start).Next(one, two, Documents.Members, Start.AddSeconds(1));

        var failedText = PlainConsole.Render(console => console.Write(WatchRenderer.Frame(frame, "127.0.0.1:5000", PlainConsole.Width)));
        var movedText = PlainConsole.Render(console => console.Write(WatchRenderer.Frame(moved, "127.0.0.1:5000", PlainConsole.Width)));

        Assert.Contains("Shard distribution as 127.0.0.1:5000 sees it at 01:00:02", failedText, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:5000 did not answer Retrying.", failedText, StringComparison.Ordinal);
        Assert.Matches(@"127\.0\.0\.1:4055\s+w2\s+Up\s+1 \+1\s+█", movedText);
        Assert.Matches(@"127\.0\.0\.1:4054\s+w1\s+Up\s+1 -1\s+█", movedText);
        Assert.Contains("1 shard moves seen since the watch began, the last at 01:00:01", movedText, StringComparison.Ordinal);
    }
}
