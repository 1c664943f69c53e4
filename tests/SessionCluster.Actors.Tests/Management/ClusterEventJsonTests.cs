using System.Collections.Immutable;
using System.Text.Json;
using SessionCluster.Actors.Management;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Tests.Management;

/// <summary>What <c>/cluster/members</c> and <c>/cluster/events</c> say about each member: its route name beside its
/// address, null for a member without one (the Lighthouse).</summary>
public sealed class ClusterEventJsonTests
{
    private static readonly UniqueAddress Worker = new(new NodeAddress("127.0.0.1", 4054), 7);
    private static readonly UniqueAddress Lighthouse = new(new NodeAddress("127.0.0.1", 4053), 3);
    private static readonly DateTimeOffset At = new(2026, 11, 23, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public void MemberEvents_CarryTheRoute_OrNull()
    {
        using var up = Written(new MemberUp(new Member(Worker, MemberStatus.Up, ["worker"], 2, "w1")));
        using var unreachable = Written(new UnreachableMember(new Member(Lighthouse, MemberStatus.Up, ["lighthouse"], 1)));
        using var leader = Written(new LeaderChanged(Lighthouse));

        Assert.Equal("MemberUp", up.RootElement.GetProperty("type").GetString());
        Assert.Equal("127.0.0.1:4054", up.RootElement.GetProperty("address").GetString());
        Assert.Equal("w1", up.RootElement.GetProperty("route").GetString());
        Assert.Equal(JsonValueKind.Null, unreachable.RootElement.GetProperty("route").ValueKind);
        Assert.Equal(JsonValueKind.Null, leader.RootElement.GetProperty("route").ValueKind);
    }

    [Fact]
    public void Snapshot_ListsEachMembersRoute()
    {
        var state = new CurrentClusterState(
            Worker,
            [new Member(Lighthouse, MemberStatus.Up, ["lighthouse"], 1), new Member(Worker, MemberStatus.Up, ["worker"], 2, "w1")],
            ImmutableSortedSet<UniqueAddress>.Empty,
            Lighthouse,
            IsConverged: true);

        using var json = Written(state);

        var routes = json.RootElement.GetProperty("members").EnumerateArray()
            .ToDictionary(member => member.GetProperty("address").GetString()!, member => member.GetProperty("route").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["127.0.0.1:4053"] = null, ["127.0.0.1:4054"] = "w1" }, routes);
    }

    private static JsonDocument Written(object message)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            ClusterEventJson.Write(writer, message, At);
        }

        return JsonDocument.Parse(buffer.WrittenMemory);
    }
}
