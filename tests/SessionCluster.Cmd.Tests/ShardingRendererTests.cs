using SessionCluster.Cmd.Rendering;
using SessionCluster.Cmd.Tests.Support;
using SessionCluster.Cmd.Views;

namespace SessionCluster.Cmd.Tests;

public sealed class ShardingRendererTests
{
    [Fact]
    public void Regions_RowPerRegionInAddressOrder_ThenCounts()
    {
        var text = PlainConsole.Render(console => ShardingRenderer.Regions(console, Documents.Regions, Documents.Members));
        var rows = text.Split('\n').Where(line => line.StartsWith("│ 127", StringComparison.Ordinal)).ToList();

        Assert.Equal(3, rows.Count);
        Assert.Matches(@"127\.0\.0\.1:4054\s+│ w1\s+│ yes\s+│\s+2 │ draining\s+│\s+3 │\s+1 │\s+11 │", rows[0]);
        Assert.Matches(@"127\.0\.0\.1:4055\s+│ w2\s+│ yes\s+│\s+1 │ -\s+│\s+2 │\s+2 │\s+25 │", rows[1]);
        Assert.Matches(@"127\.0\.0\.1:4060\s+│ front\s+│ no \(front\)\s+│\s+0 │ -\s+│\s+0 │\s+0 │\s+\? │", rows[2]);
        Assert.Contains("3 regions, 2 hosting shards; coordinator 127.0.0.1:4054 (w1)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Shards_Filtered_OnlyThatHome()
    {
        var text = PlainConsole.Render(console => ShardingRenderer.Shards(console, Documents.Shards, "127.0.0.1:4055"));
        var rows = text.Split('\n').Where(line => line.StartsWith("│ ", StringComparison.Ordinal) && !line.Contains("Shard", StringComparison.Ordinal)).ToList();

        Assert.Equal(2, rows.Count);
        Assert.Matches(@"│\s+1 │ 127\.0\.0\.1:4055 │\s+2 │ 127\.0\.0\.1:4054 │\s+20 │", rows[0]);
        Assert.Matches(@"│\s+4 │ 127\.0\.0\.1:4055 │\s+5 │ 127\.0\.0\.1:4056 │\s+5 │", rows[1]);
        Assert.Contains("2 shards with home 127.0.0.1:4055 (of 6), 25 sessions; coordinator 127.0.0.1:4054", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Shards_Unfiltered_UnassignedAndUnknownCountShown()
    {
        var text = PlainConsole.Render(console => ShardingRenderer.Shards(console, Documents.Shards, null));

        Assert.Matches(@"│\s+3 │ unassigned\s+│\s+0 │ -\s+│\s+\? │", text);
        Assert.Contains("6 shards, 36 sessions; coordinator 127.0.0.1:4054", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Filter_KeepsTheDocumentShape()
    {
        var filtered = ShardingRenderer.Filter(Documents.Shards, "127.0.0.1:4054");

        Assert.Equal([0, 2, 5], filtered.Shards.Select(shard => shard.Id));
        Assert.Equal("127.0.0.1:4054", filtered.Coordinator);
    }

    [Fact]
    public void Stats_TableBarChartAndTotals()
    {
        var stats = ShardingStats.Compute(Documents.Shards, Documents.Members);

        var text = PlainConsole.Render(console => ShardingRenderer.Stats(console, stats));

        Assert.Matches(@"│ 127\.0\.0\.1:4054 │ w1\s+│ worker │ Up\s+│\s+3 │\s+1 │\s+11 │", text);
        Assert.Matches(@"│ 127\.0\.0\.1:4056 │ -\s+│ worker │ Leaving\s+│", text);
        Assert.Contains("Shards per node", text, StringComparison.Ordinal);
        Assert.Matches(@"127\.0\.0\.1:4054 w1\s+█+ 3", text);
        Assert.Matches(@"127\.0\.0\.1:4055 w2\s+█+ 2", text);
        Assert.Contains("6 shards: 5 with a home, 1 unassigned; 36 sessions on 3 nodes; coordinator 127.0.0.1:4054 (w1)", text, StringComparison.Ordinal);
    }
}
