using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using static SessionCluster.Actors.Tests.Membership.MembershipNodeTests;

namespace SessionCluster.Actors.Tests.Membership;

/// <summary>Refused connections fed to the state machine by hand: what counts as evidence that a member's process is
/// gone, how it shortens the resolver's wait, and what clears or voids it.</summary>
public sealed class MembershipNodeRefusalTests
{
    private static readonly UniqueAddress C = new(new NodeAddress("c", 1), 33);

    [Fact]
    public void ConnectionRefused_ByAMember_UnreachableAtOnceAndRecordedAsRefused()
    {
        var (a, _) = TwoNodeCluster();

        var effects = a.ConnectionRefused(B.Address, At(100), At(100));

        Assert.Contains(effects, e => e is Publish { Event: UnreachableMember u } && u.Member.UniqueAddress == B);
        Assert.Equal([B], a.Gossip.Reachability.UnreachableBy(A));
        Assert.Equal([B], a.Gossip.Reachability.RefusedBy(A));
        Assert.Equal([B], a.Gossip.RefusedUnreachable);
    }

    [Fact]
    public void ConnectionRefused_EveryUnreachableRefused_LeaderDownsAfterStableAfterRefused()
    {
        var (a, _) = TwoNodeCluster();
        a.ConnectionRefused(B.Address, At(100), At(100));

        Assert.DoesNotContain(a.Tick(At(150)), e => e is Publish { Event: DowningDecided });
        var effects = a.Tick(At(200));

        // 1:1 is a tie, which the lowest address (a) wins: exactly stable-after-refused (100 ms) after the refusal.
        var decided = Assert.Single(effects.OfType<Publish>().Select(p => p.Event).OfType<DowningDecided>());
        Assert.Equal(DowningDecision.DownUnreachable, decided.Decision);
        Assert.Equal(B, Assert.Single(decided.Downed));
        Assert.Contains(effects, e => e is Publish { Event: MemberDowned d } && d.Member.UniqueAddress == B);
    }

    [Fact]
    public void ConnectionRefused_ThenAHeartbeatAck_ReachableAgainAtTheNextTick_FlagGone_NobodyDowned()
    {
        var (a, _) = TwoNodeCluster();
        a.ConnectionRefused(B.Address, At(100), At(100));

        a.Receive(B, new HeartbeatAck(A), At(120));
        var effects = a.Tick(At(150));

        Assert.Contains(effects, e => e is Publish { Event: ReachableMember r } && r.Member.UniqueAddress == B);
        Assert.Empty(a.Gossip.Reachability.UnreachableBy(A));
        Assert.Empty(a.Gossip.Reachability.RefusedBy(A));
        for (var ms = 200; ms <= 600; ms += 50)
        {
            a.Receive(B, new HeartbeatAck(A), At(ms));
            Assert.DoesNotContain(a.Tick(At(ms)), e => e is Publish { Event: DowningDecided or UnreachableMember });
        }
    }

    [Fact]
    public void ConnectionRefused_ObservedBeforeTheMemberLastAnswered_IgnoredAsStale()
    {
        var (a, _) = TwoNodeCluster();
        a.Receive(B, new HeartbeatAck(A), At(200));

        Assert.Empty(a.ConnectionRefused(B.Address, At(150), At(210)));
        Assert.Empty(a.Gossip.Unreachable);
    }

    [Fact]
    public void ConnectionRefused_ForItsOwnAddressOrAStranger_Ignored()
    {
        var (a, _) = TwoNodeCluster();

        Assert.Empty(a.ConnectionRefused(A.Address, At(100), At(100)));
        Assert.Empty(a.ConnectionRefused(new NodeAddress("stranger", 1), At(100), At(100)));
        Assert.True(a.Gossip.Reachability.IsEmpty);
    }

    [Fact]
    public void ConnectionRefused_ForADownThenRemovedMember_Ignored()
    {
        var (a, _) = TwoNodeCluster();
        a.Down(B.Address, At(10));

        Assert.Empty(a.ConnectionRefused(B.Address, At(100), At(100)));
        a.Tick(At(250));   // past down-removal-margin (200 ms): the leader removes it
        Assert.True(a.Gossip.IsTombstoned(B));
        Assert.Empty(a.ConnectionRefused(B.Address, At(300), At(300)));
        Assert.True(a.Gossip.Reachability.IsEmpty);
    }

    [Fact]
    public void ConnectionRefused_ObservedBeforeANewIncarnationJoinedOnTheAddress_Ignored_AfterwardsItCountsAgainstTheNewOne()
    {
        var (a, _) = TwoNodeCluster();
        a.Down(B.Address, At(10));
        a.Tick(At(250));
        var reborn = B with { Uid = 23 };
        a.Receive(reborn, new Join("session-cluster", ["worker"]), At(500));
        Assert.True(a.Gossip.HasMember(reborn));

        Assert.Empty(a.ConnectionRefused(B.Address, At(400), At(510)));
        Assert.Empty(a.Gossip.Unreachable);

        var effects = a.ConnectionRefused(B.Address, At(520), At(520));
        Assert.Contains(effects, e => e is Publish { Event: UnreachableMember u } && u.Member.UniqueAddress == reborn);
        Assert.Equal([reborn], a.Gossip.RefusedUnreachable);
    }

    [Fact]
    public void Gossip_ARefusalSeenOnlyByAnotherMember_ReachesTheLeader_WhichDecidesAfterStableAfterRefused()
    {
        var (a, b, _) = ThreeNodeCluster();

        var push = b.ConnectionRefused(C.Address, At(100), At(100));
        var envelope = Assert.Single(push.OfType<Send>().Select(send => send.Message).OfType<GossipEnvelope>());
        a.Receive(B, envelope, At(110));

        Assert.Empty(a.Gossip.Reachability.RefusedBy(A));
        Assert.Equal([C], a.Gossip.RefusedUnreachable);
        Assert.DoesNotContain(a.Tick(At(200)), e => e is Publish { Event: DowningDecided });
        var decided = Assert.Single(a.Tick(At(210)).OfType<Publish>().Select(p => p.Event).OfType<DowningDecided>());
        Assert.Equal(C, Assert.Single(decided.Downed));
    }

    private static DateTimeOffset At(int ms) => T0.AddMilliseconds(ms);

    /// <summary>a (the seed and leader), b and c; b has learned of c from a's gossip.</summary>
    private static (MembershipNode A, MembershipNode B, MembershipNode C) ThreeNodeCluster()
    {
        var a = NewNode(A);
        a.Start(T0);
        var b = Join(a, B);
        var c = Join(a, C);
        b.Receive(A, new GossipEnvelope(B, a.Gossip), T0);
        return (a, b, c);
    }
}
