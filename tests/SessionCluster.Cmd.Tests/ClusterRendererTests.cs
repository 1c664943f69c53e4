using SessionCluster.Cmd.Rendering;
using SessionCluster.Cmd.Tests.Support;
using SessionCluster.Cmd.Views;

namespace SessionCluster.Cmd.Tests;

public sealed class ClusterRendererTests
{
    [Fact]
    public void Members_OneRowPerMemberInAddressOrder_ThenTheCountLine()
    {
        var text = PlainConsole.Render(console => ClusterRenderer.Members(console, Documents.Members));
        var lines = text.Split('\n');

        var rows = lines.Where(line => line.Contains("127.0.0.1:40", StringComparison.Ordinal) && line.StartsWith('│')).ToList();
        Assert.Equal(5, rows.Count);
        Assert.Contains("127.0.0.1:4053", rows[0], StringComparison.Ordinal);
        Assert.Matches(@"127\.0\.0\.1:4053\s+│ -\s+│ lighthouse\s+│ Up\s+│ reachable\s+│ \* leader", rows[0]);
        Assert.Matches(@"127\.0\.0\.1:4054\s+│ w1\s+│ worker\s+│ Up\s+│ reachable\s+│ oldest", rows[1]);
        Assert.Matches(@"127\.0\.0\.1:4055\s+│ w2\s+│ worker\s+│ Up\s+│ unreachable", rows[2]);
        Assert.Matches(@"127\.0\.0\.1:4056\s+│ -\s+│ worker\s+│ Leaving\s+│ reachable", rows[3]);
        Assert.Matches(@"127\.0\.0\.1:4060 \(asked\)\s+│ front\s+│ front", rows[4]);
        Assert.Contains("5 members: 4 Up, 1 Leaving; 1 unreachable; leader 127.0.0.1:4053; not converged", text, StringComparison.Ordinal);
    }

    [Fact]
    public void CountLine_NoMembers_SaysSo()
    {
        var line = ClusterRenderer.CountLine(Documents.Members with { Members = [], Leader = null, Converged = true });

        Assert.Equal("0 members; 0 unreachable; leader none; converged", line);
    }

    [Fact]
    public void Leader_NamesLeaderAndOldest()
    {
        var text = PlainConsole.Render(console => ClusterRenderer.Leader(console, LeaderView.From(Documents.Members)));

        Assert.Equal("leader: 127.0.0.1:4053\noldest worker (shard coordinator): 127.0.0.1:4054\n", text.ReplaceLineEndings("\n"));
    }
}
