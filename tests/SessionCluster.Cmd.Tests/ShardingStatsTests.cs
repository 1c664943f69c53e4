using SessionCluster.Cmd.Tests.Support;
using SessionCluster.Cmd.Views;

namespace SessionCluster.Cmd.Tests;

public sealed class ShardingStatsTests
{
    [Fact]
    public void Compute_CannedTable_CountsPerNodeAddUpToTheTable()
    {
        var stats = ShardingStats.Compute(Documents.Shards, Documents.Members);

        Assert.Equal(6, stats.Shards);
        Assert.Equal(1, stats.Unassigned);
        Assert.Equal(["127.0.0.1:4054", "127.0.0.1:4055", "127.0.0.1:4056"], stats.Nodes.Select(node => node.Address));
        Assert.Equal(("Up", 3, 1, 11L), (stats.Nodes[0].Status, stats.Nodes[0].Shards, stats.Nodes[0].Backups, stats.Nodes[0].Sessions));
        Assert.Equal(["worker"], stats.Nodes[0].Roles);
        Assert.Equal((2, 2, 25L), (stats.Nodes[1].Shards, stats.Nodes[1].Backups, stats.Nodes[1].Sessions));
        Assert.Equal((0, 2, 0L, "Leaving"), (stats.Nodes[2].Shards, stats.Nodes[2].Backups, stats.Nodes[2].Sessions, stats.Nodes[2].Status));
        Assert.Equal(stats.Shards, stats.Nodes.Sum(node => node.Shards) + stats.Unassigned);
        Assert.Equal(36, stats.Sessions);
        Assert.Equal("127.0.0.1:4054", stats.Coordinator);
    }

    [Fact]
    public void Compute_FrontsAndLighthouseHostNothing_LeftOut()
    {
        var stats = ShardingStats.Compute(Documents.Shards, Documents.Members);

        Assert.DoesNotContain(stats.Nodes, node => node.Address is "127.0.0.1:4053" or "127.0.0.1:4060");
    }

    [Fact]
    public void Compute_WorkerWithoutShards_ListedWithZero()
    {
        var members = Documents.Members with { Members = [.. Documents.Members.Members, new("127.0.0.1:4099", "Joining", ["worker"], true)] };

        var stats = ShardingStats.Compute(Documents.Table("127.0.0.1:4054"), members);

        Assert.Contains(stats.Nodes, node => node is { Address: "127.0.0.1:4099", Shards: 0, Status: "Joining" });
    }

    [Fact]
    public void Compute_HomeThatIsNoLongerAMember_ListedWithoutStatus()
    {
        var stats = ShardingStats.Compute(Documents.Table("10.0.0.9:1"), null);

        var node = Assert.Single(stats.Nodes);
        Assert.Equal(("10.0.0.9:1", 1, (string?)null), (node.Address, node.Shards, node.Status));
        Assert.Empty(node.Roles);
    }

    [Fact]
    public void AddressComparer_PortsCompareAsNumbers()
    {
        string[] addresses = ["127.0.0.1:10000", "127.0.0.1:9000", "10.0.0.1:5", "127.0.0.1:900"];

        Assert.Equal(["10.0.0.1:5", "127.0.0.1:900", "127.0.0.1:9000", "127.0.0.1:10000"], addresses.Order(AddressComparer.Instance));
    }
}
