using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Tests.Membership;

public sealed class GossipTests
{
    private static readonly UniqueAddress A = Node("a");
    private static readonly UniqueAddress B = Node("b");
    private static readonly UniqueAddress C = Node("c");
    private static readonly UniqueAddress D = Node("d");

    [Fact]
    public void IsConverged_AllUpMembersSeen_True_JoiningNeedNotHaveSeen()
    {
        var gossip = View((A, MemberStatus.Up), (B, MemberStatus.Up), (C, MemberStatus.Joining)).Seen(A).Seen(B);

        Assert.True(gossip.IsConverged(A));
        Assert.False(View((A, MemberStatus.Up), (B, MemberStatus.Leaving)).Seen(A).IsConverged(A));
    }

    [Theory]
    [InlineData(MemberStatus.Up, false)]
    [InlineData(MemberStatus.Joining, false)]
    [InlineData(MemberStatus.Leaving, false)]
    [InlineData(MemberStatus.Down, true)]
    [InlineData(MemberStatus.Exiting, true)]
    public void IsConverged_UnreachableMember_BlocksUnlessDownOrExiting(MemberStatus status, bool converged)
    {
        var gossip = View((A, MemberStatus.Up), (B, MemberStatus.Up), (C, status));
        gossip = gossip.WithReachability(gossip.Reachability.MarkUnreachable(A, C)).Seen(A).Seen(B);

        Assert.Equal(converged, gossip.IsConverged(A));
    }

    [Fact]
    public void Unreachable_ObservationsOfDownObservers_DoNotCount()
    {
        var gossip = View((A, MemberStatus.Up), (B, MemberStatus.Down), (C, MemberStatus.Up));
        gossip = gossip.WithReachability(gossip.Reachability.MarkUnreachable(B, C));

        Assert.Empty(gossip.Unreachable);
    }

    [Fact]
    public void Leader_FirstReachableUpOrLeavingByAddress_SelfAlwaysReachable()
    {
        var gossip = View((A, MemberStatus.Joining), (B, MemberStatus.Leaving), (C, MemberStatus.Up), (D, MemberStatus.Up));

        Assert.Equal(B, gossip.Leader(D));

        var unreachableB = gossip.WithReachability(gossip.Reachability.MarkUnreachable(C, B));
        Assert.Equal(C, unreachableB.Leader(D));
        Assert.Equal(B, unreachableB.Leader(B));
    }

    [Fact]
    public void Leader_NoUpMembers_FirstJoining_ThenExiting_ElseNone()
    {
        Assert.Equal(B, View((B, MemberStatus.Joining), (C, MemberStatus.Joining)).Leader(C));
        Assert.Equal(A, View((A, MemberStatus.Exiting)).Leader(A));
        Assert.Null(View((A, MemberStatus.Down)).Leader(A));
        Assert.Null(Gossip.Empty.Leader(A));
    }

    [Fact]
    public void Oldest_SmallestUpNumber_PerRole()
    {
        var gossip = Gossip.Empty
            .WithMember(new Member(A, MemberStatus.Up, ["front"], 3))
            .WithMember(new Member(B, MemberStatus.Up, ["worker"], 2))
            .WithMember(new Member(C, MemberStatus.Up, ["worker"], 1))
            .WithMember(new Member(D, MemberStatus.Joining, ["worker"]));

        Assert.Equal(C, gossip.Oldest()?.UniqueAddress);
        Assert.Equal(C, gossip.Oldest("worker")?.UniqueAddress);
        Assert.Equal(A, gossip.Oldest("front")?.UniqueAddress);
        Assert.Null(gossip.Oldest("lighthouse"));
    }

    [Fact]
    public void Remove_LeavesTombstone_AndMergeNeverResurrects()
    {
        var gossip = View((A, MemberStatus.Up), (B, MemberStatus.Down)).ChangedBy(B);
        var removed = gossip.Remove(B, DateTimeOffset.UnixEpoch).ChangedBy(A);

        var merged = removed.Merge(gossip);

        Assert.False(merged.HasMember(B));
        Assert.True(merged.IsTombstoned(B));
        Assert.Equal(1, merged.Version[B]);
        Assert.Equal(0, merged.PruneTombstones(DateTimeOffset.UnixEpoch.AddSeconds(1)).Version[B]);
    }

    [Theory]
    [InlineData("a=1", "a=1", VersionOrder.Same)]
    [InlineData("a=1", "a=2", VersionOrder.Before)]
    [InlineData("a=2,b=1", "a=2", VersionOrder.After)]
    [InlineData("a=1,b=0", "b=1", VersionOrder.Concurrent)]
    [InlineData("", "", VersionOrder.Same)]
    public void GossipVersion_Compare(string left, string right, VersionOrder expected) =>
        Assert.Equal(expected, Version(left).Compare(Version(right)));

    [Fact]
    public void Reachability_OwnRowVersioned_MergeKeepsNewerRow()
    {
        var older = Reachability.Empty.MarkUnreachable(A, B);
        var newer = older.MarkReachable(A, B);

        Assert.Equal(1, older.VersionOf(A));
        Assert.Equal(2, newer.VersionOf(A));
        Assert.Same(newer, newer.MarkReachable(A, B));
        Assert.Equal(newer, older.Merge(newer));
        Assert.Equal(newer, newer.Merge(older));
        Assert.Empty(older.Without([B]).UnreachableBy(A));
        Assert.Empty(older.Without([A]).Observers);
    }

    private static UniqueAddress Node(string host) => new(new NodeAddress(host, 1), 1);

    private static Gossip View(params (UniqueAddress Node, MemberStatus Status)[] members) =>
        members.Aggregate(Gossip.Empty, (gossip, entry) => gossip.WithMember(new Member(entry.Node, entry.Status, [], entry.Status == MemberStatus.Joining ? 0 : 1)))
            .ChangedBy(members[0].Node);

    private static GossipVersion Version(string text) =>
        GossipVersion.Of(text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(entry => entry.Split('='))
            .Select(pair => KeyValuePair.Create(Node(pair[0]), long.Parse(pair[1], System.Globalization.CultureInfo.InvariantCulture))));
}
