using System.Text.Json;
using SessionCluster.Cmd.Model;
using SessionCluster.Cmd.Tests.Support;

namespace SessionCluster.Cmd.Tests;

public sealed class ModelParsingTests
{
    [Fact]
    public void Members_CannedDocument_EveryFieldRead()
    {
        var members = Documents.Members;

        Assert.Equal("127.0.0.1:4060", members.Self);
        Assert.Equal("127.0.0.1:4053", members.Leader);
        Assert.Equal("127.0.0.1:4054", members.Oldest);
        Assert.False(members.Converged);
        Assert.Equal(5, members.Members.Count);
        var member = members.Members[2];
        Assert.Equal(("127.0.0.1:4055", "Up", false, "13", 3), (member.Address, member.Status, member.Reachable, member.Uid, member.UpNumber));
        Assert.Equal(["worker"], member.Roles);
    }

    [Fact]
    public void Members_WithoutOldest_OlderNodesStillParse()
    {
        var members = JsonSerializer.Deserialize("""{"self":"a:1","leader":null,"converged":true,"members":[]}""", ApiJsonContext.Default.MembersDocument)!;

        Assert.Null(members.Oldest);
        Assert.Null(members.Leader);
        Assert.Empty(members.Members);
    }

    [Theory]
    [InlineData("""{"self":"a:1","leader":null,"converged":true}""")]
    [InlineData("""{"leader":null,"converged":true,"members":[]}""")]
    [InlineData("""{"self":null,"leader":null,"converged":true,"members":[]}""")]
    [InlineData("""{"self":"a:1","leader":null,"converged":true,"members":[{"address":"b:2"}]}""")]
    [InlineData("""[1,2,3]""")]
    public void Members_MissingOrNullRequiredField_Rejected(string json)
    {
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, ApiJsonContext.Default.MembersDocument));
    }

    [Fact]
    public void Shards_NullHomeAndUnknownCount_Kept()
    {
        var table = Documents.Shards;

        Assert.Equal("127.0.0.1:4054", table.Coordinator);
        Assert.Equal(6, table.Shards.Count);
        Assert.Null(table.Shards[3].Home);
        Assert.Null(table.Shards[2].Sessions);
        Assert.Equal(["127.0.0.1:4056"], table.Shards[4].Backups);
        Assert.Equal(5, table.Shards[4].Epoch);
    }

    [Fact]
    public void Location_WithAndWithoutBackups()
    {
        Assert.Equal(["127.0.0.1:4054", "127.0.0.1:4056"], Documents.Location.Backups);
        var old = JsonSerializer.Deserialize("""{"id":"ab","shard":1,"home":"h:1","epoch":2}""", ApiJsonContext.Default.SessionLocation)!;
        Assert.Null(old.Backups);
    }

    [Fact]
    public void ClusterEvent_SnapshotAndChange()
    {
        var snapshot = JsonSerializer.Deserialize(
            """{"type":"CurrentClusterState","self":"a:1","leader":"a:1","converged":true,"members":[{"address":"a:1","status":"Up","roles":[],"reachable":true,"uid":"1","upNumber":1}]}""",
            ApiJsonContext.Default.ClusterEvent)!;
        var up = JsonSerializer.Deserialize("""{"type":"MemberUp","address":"b:2","status":"Up","at":"2026-11-22T01:02:03.5Z"}""", ApiJsonContext.Default.ClusterEvent)!;

        Assert.Equal("a:1", snapshot.Leader);
        Assert.Single(snapshot.Members!);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 1, 2, 3, 500, TimeSpan.Zero), up.At);
        Assert.Null(up.Members);
    }
}
