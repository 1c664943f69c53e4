using SessionCluster.Cmd.Api;
using SessionCluster.Cmd.Commands;
using SessionCluster.Cmd.Model;
using SessionCluster.Cmd.Rendering;
using SessionCluster.Cmd.Tests.Support;

namespace SessionCluster.Cmd.Tests;

public sealed class SmallPartsTests
{
    [Theory]
    [InlineData("localhost:5000", "http://localhost:5000/")]
    [InlineData("127.0.0.1:5001", "http://127.0.0.1:5001/")]
    [InlineData(" 127.0.0.1:5001 ", "http://127.0.0.1:5001/")]
    [InlineData("http://127.0.0.1:5001", "http://127.0.0.1:5001/")]
    [InlineData("https://node.example:8443/", "https://node.example:8443/")]
    public void NodeEndpoint_Accepted(string text, string expected)
    {
        Assert.True(NodeEndpoint.TryParse(text, out var uri, out var error), error);
        Assert.Equal(expected, uri.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("ftp://x:1")]
    [InlineData("127.0.0.1:5000/cluster")]
    [InlineData("127.0.0.1:notaport")]
    public void NodeEndpoint_Rejected_WithAReason(string text)
    {
        Assert.False(NodeEndpoint.TryParse(text, out _, out var error));
        Assert.StartsWith($"--node '{text}'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:4053", true)]
    [InlineData("node-1.internal:65535", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("127.0.0.1:", false)]
    [InlineData(":4053", false)]
    [InlineData("127.0.0.1:0", false)]
    [InlineData("127.0.0.1:65536", false)]
    [InlineData("a/b:1", false)]
    [InlineData("a b:1", false)]
    public void IsClusterAddress(string text, bool expected)
    {
        Assert.Equal(expected, NodeEndpoint.IsClusterAddress(text));
    }

    [Fact]
    public void ServerSentEvents_DataLinesUntilBlank_CommentsAndOtherFieldsSkipped()
    {
        var reader = new ServerSentEventReader();
        string[] lines = [": keep-alive", "", "event: member", "id: 7", "data: {\"a\":1}", "", "data:x", "data", "dataset: no", "data:  y", "", "", "retry: 5"];

        var events = lines.Select(reader.Feed).OfType<string>().ToList();

        Assert.Equal(["{\"a\":1}", "x\n\n y"], events);
    }

    [Fact]
    public void EventLine_Change_TimeTypeAddressStatus()
    {
        var line = EventFormatter.Line(new ClusterEvent("MemberUp", "127.0.0.1:4057", "Up", new DateTimeOffset(2026, 11, 22, 1, 2, 3, 45, TimeSpan.FromHours(1))), DateTimeOffset.UnixEpoch);

        Assert.Equal("2026-11-22T00:02:03.045Z MemberUp 127.0.0.1:4057 Up", line);
        var named = EventFormatter.Line(new ClusterEvent("MemberUp", "127.0.0.1:4057", "Up", new DateTimeOffset(2026, 11, 22, 1, 2, 3, TimeSpan.Zero), Route: "w3"), DateTimeOffset.UnixEpoch);
        Assert.Equal("2026-11-22T01:02:03.000Z MemberUp 127.0.0.1:4057 (w3) Up", named);
    }

    [Fact]
    public void EventLine_LeaderChanged_NamesTheNewLeaderOrNone()
    {
        var at = new DateTimeOffset(2026, 11, 22, 1, 0, 0, TimeSpan.Zero);

        Assert.Equal("2026-11-22T01:00:00.000Z LeaderChanged 127.0.0.1:4054", EventFormatter.Line(new ClusterEvent("LeaderChanged", "127.0.0.1:4054", null, at), at));
        Assert.Equal("2026-11-22T01:00:00.000Z LeaderChanged none", EventFormatter.Line(new ClusterEvent("LeaderChanged", null, null, at), at));
    }

    [Fact]
    public void EventLine_Snapshot_MembersOnOneLineAtReceiptTime()
    {
        var snapshot = new ClusterEvent("CurrentClusterState", Leader: "127.0.0.1:4053", Members: Documents.Members.Members.Take(3).ToList());

        var line = EventFormatter.Line(snapshot, new DateTimeOffset(2026, 11, 22, 1, 0, 0, TimeSpan.Zero));

        Assert.Equal("2026-11-22T01:00:00.000Z CurrentClusterState 3 members, leader 127.0.0.1:4053: 127.0.0.1:4053 Up, 127.0.0.1:4054 (w1) Up, 127.0.0.1:4055 (w2) Up unreachable", line);
    }

    [Theory]
    [InlineData("leave", "a:1", null, "a:1 is leaving the cluster (a worker hands its shards off first).")]
    [InlineData("down", "a:1", null, "a:1 is marked Down; the leader removes it.")]
    [InlineData("drain", "a:1", null, "a:1 is draining: it hands off every shard with its sessions, then leaves the cluster and exits.")]
    [InlineData("weight", "a:1", 3, "a:1 now has capacity weight 3.")]
    [InlineData("weight", "a:1", 0, "a:1 now has capacity weight 0 (it hosts no shards; the coordinator moves them away).")]
    [InlineData("rebalance", null, null, "The coordinator runs a rebalance round now.")]
    [InlineData("shutdown", "a:1", null, "The node accepted 'shutdown' for a:1.")]
    public void ActionSentence(string action, string? address, int? weight, string expected)
    {
        Assert.Equal(expected, ActionRenderer.Sentence(new ActionResult(action, address, null, weight)));
    }

    [Fact]
    public void ActionSentence_DownUnreachable_ListsOrSaysNone()
    {
        Assert.Equal("Downed 2 unreachable members: a:1, b:2.", ActionRenderer.Sentence(new ActionResult("down-unreachable", Downed: ["a:1", "b:2"])));
        Assert.Equal("No member was unreachable; nothing downed.", ActionRenderer.Sentence(new ActionResult("down-unreachable", Downed: [])));
    }

    [Fact]
    public void SessionLocation_Rendered()
    {
        var text = PlainConsole.Render(console => SessionRenderer.Location(console, Documents.Location));

        Assert.Matches(@"home\s+127\.0\.0\.1:4055", text);
        Assert.Matches(@"shard\s+42", text);
        Assert.Matches(@"backups\s+127\.0\.0\.1:4054, 127\.0\.0\.1:4056", text);
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef")]
    [InlineData("0123456789abcdef0123456789abcdef.worker-1", "0123456789abcdef0123456789abcdef")]
    public void SessionIdOf_CookieValueAccepted(string text, string expected)
    {
        Assert.Equal(expected, SessionCommands.SessionIdOf(text));
    }
}
