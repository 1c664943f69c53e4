using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Tests.Membership;

/// <summary>The state machine driven by hand, one input at a time, asserting the exact effects.</summary>
public sealed class MembershipNodeTests
{
    internal static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    internal static readonly UniqueAddress A = new(new NodeAddress("a", 1), 11);
    internal static readonly UniqueAddress B = new(new NodeAddress("b", 1), 22);

    [Fact]
    public void Start_NoSeeds_FormsClusterAndMovesItselfUp()
    {
        var node = NewNode(A);

        var effects = node.Start(T0);

        Assert.Equal(MembershipPhase.Member, node.Phase);
        Assert.Equal(MemberStatus.Up, node.SelfStatus);
        Assert.Contains(effects, e => e is Publish { Event: MemberJoined });
        Assert.Contains(effects, e => e is Publish { Event: MemberUp up } && up.Member.UniqueAddress == A);
        Assert.Contains(effects, e => e is Publish { Event: LeaderChanged changed } && changed.Leader == A);
        Assert.DoesNotContain(effects, e => e is Send);
    }

    [Fact]
    public void Start_WithOtherSeeds_SendsInitJoinToEach()
    {
        var node = NewNode(A, [A.Address, B.Address, new NodeAddress("c", 1)]);

        var effects = node.Start(T0);

        Assert.Equal(MembershipPhase.Seeking, node.Phase);
        Assert.Equal(
            [new Send(B.Address, new InitJoin("session-cluster")), new Send(new NodeAddress("c", 1), new InitJoin("session-cluster"))],
            effects);
    }

    [Fact]
    public void Routes_TravelWithTheJoin_AndEveryMemberSeesEachNodesOwn()
    {
        var seed = NewNode(A, [A.Address], route: "seed-a");
        seed.Start(T0);
        seed.Tick(T0 + seed.Settings.SeedNodeTimeout);
        var formed = T0 + seed.Settings.SeedNodeTimeout;
        Assert.Equal("seed-a", seed.Gossip.MemberOf(A)!.Route);

        var joiner = NewNode(B, [A.Address], route: "w2");
        joiner.Start(formed);
        var join = Assert.IsType<Join>(Assert.IsType<Send>(Assert.Single(joiner.Receive(A, new InitJoinAck("session-cluster"), formed))).Message);
        Assert.Equal("w2", join.Route);
        var welcome = seed.Receive(B, join, formed).OfType<Send>().Select(send => send.Message).OfType<Welcome>().Single();
        joiner.Receive(A, welcome, formed);

        foreach (var view in new[] { seed.Gossip, joiner.Gossip })
        {
            Assert.Equal("seed-a", view.MemberOf(A)!.Route);
            Assert.Equal("w2", view.MemberOf(B)!.Route);
        }

        Assert.Throws<ArgumentException>(() => NewNode(new UniqueAddress(new NodeAddress("c", 1), 33), route: "not a route"));
    }

    [Fact]
    public void InitJoinAck_WhileSeeking_SendsJoinWithRoles_ThenWelcomeMakesMember()
    {
        var joiner = NewNode(B, [A.Address]);
        joiner.Start(T0);

        var effects = joiner.Receive(A, new InitJoinAck("session-cluster"), T0);

        var join = Assert.IsType<Join>(Assert.IsType<Send>(Assert.Single(effects)).Message);
        Assert.Equal(["worker"], join.Roles);
        Assert.Equal(MembershipPhase.AwaitingWelcome, joiner.Phase);

        var seed = NewNode(A);
        seed.Start(T0);
        var welcome = seed.Receive(B, join, T0).OfType<Send>().Select(send => send.Message).OfType<Welcome>().Single();
        joiner.Receive(A, welcome, T0);

        Assert.Equal(MembershipPhase.Member, joiner.Phase);
        Assert.Equal(MemberStatus.Joining, joiner.SelfStatus);
        Assert.Equal(A, joiner.Leader);
    }

    [Fact]
    public void InitJoin_WrongClusterName_RefusedWithReason()
    {
        var node = NewNode(A);
        node.Start(T0);

        var effects = node.Receive(B, new InitJoin("elsewhere"), T0);

        var refusal = Assert.IsType<JoinRefusal>(Assert.IsType<Send>(Assert.Single(effects)).Message);
        Assert.Equal("this node belongs to cluster 'session-cluster', not 'elsewhere': check cluster.name and cluster.seed-nodes", refusal.Reason);
    }

    [Fact]
    public void Heartbeat_ForThisIncarnation_Acked_ForAnother_Ignored()
    {
        var node = NewNode(A);
        node.Start(T0);

        Assert.Equal([new Send(B.Address, new HeartbeatAck(B))], node.Receive(B, new Heartbeat(A), T0));
        Assert.Empty(node.Receive(B, new Heartbeat(A with { Uid = 99 }), T0));
    }

    [Fact]
    public void Heartbeats_FromNonMembers_AreAckedButNotRemembered()
    {
        var (a, _) = TwoNodeCluster();
        a.Receive(B, new Heartbeat(A), T0.AddSeconds(1));
        var before = a.HeardCount;

        for (var uid = 1; uid <= 500; uid++)
        {
            var stranger = new UniqueAddress(new NodeAddress("127.0.0.1", 1), uid);
            Assert.Equal([new Send(stranger.Address, new HeartbeatAck(stranger))], a.Receive(stranger, new Heartbeat(A), T0.AddSeconds(1)));
            a.Receive(stranger, new HeartbeatAck(A), T0.AddSeconds(1));
        }

        Assert.Equal(before, a.HeardCount);
        Assert.InRange(before, 1, 2);   // the member B is remembered
    }

    [Fact]
    public void GossipThatDownsThisNode_PublishesAndShutsDown_ThenIgnoresEverything()
    {
        var (a, b) = TwoNodeCluster();
        var downed = a.Gossip.WithMember(a.Gossip.MemberOf(B)!.WithStatus(MemberStatus.Down)).ChangedBy(A);

        var effects = b.Receive(A, new GossipEnvelope(B, downed), T0.AddSeconds(1));

        Assert.Contains(effects, e => e is Publish { Event: MemberDowned downedEvent } && downedEvent.Member.UniqueAddress == B);
        Assert.Equal(new ShutDownSelf("downed"), effects[^1]);
        Assert.Equal(MembershipPhase.Stopped, b.Phase);
        Assert.Empty(b.Tick(T0.AddSeconds(2)));
        Assert.Empty(b.Receive(A, new Heartbeat(B), T0.AddSeconds(2)));
    }

    [Fact]
    public void Tick_PeerFallsSilent_UnreachableInOwnRow_ThenResolverDownsAndLeaderRemovesIt()
    {
        var (a, _) = TwoNodeCluster();
        var effects = new List<MembershipEffect>();
        var ms = 0;
        for (; !a.Gossip.Reachability.UnreachableBy(A).Contains(B); ms += 50)
        {
            Assert.True(ms < 2000, "B not detected within 2 s");
            effects.AddRange(a.Tick(T0.AddMilliseconds(ms)));
        }

        Assert.InRange(ms, 1200, 1500); // ~200 ms estimate + 600 ms pause + 5.2 x 100 ms deviation
        Assert.Contains(effects, e => e is Publish { Event: UnreachableMember u } && u.Member.UniqueAddress == B);
        Assert.Contains(effects, e => e is Send { Message: Heartbeat });

        for (; ms <= 3000; ms += 50)
        {
            effects.AddRange(a.Tick(T0.AddMilliseconds(ms)));
        }

        // A 1:1 split is a tie, which the lowest address (a) wins; it downs b, then removes it after the margin.
        Assert.Contains(effects, e => e is Publish { Event: DowningDecided { Decision: DowningDecision.DownUnreachable } });
        Assert.Contains(effects, e => e is Publish { Event: MemberRemoved { PreviousStatus: MemberStatus.Down } });
        Assert.True(a.Gossip.IsTombstoned(B));
        Assert.Equal(MembershipPhase.Member, a.Phase);
    }

    internal static (MembershipNode A, MembershipNode B) TwoNodeCluster()
    {
        var a = NewNode(A);
        a.Start(T0);
        return (a, Join(a, B));
    }

    /// <summary>Starts <paramref name="joiner"/> with <paramref name="seed"/> as its seed and has the seed admit it, at T0.</summary>
    internal static MembershipNode Join(MembershipNode seed, UniqueAddress joiner)
    {
        var node = NewNode(joiner, [seed.Self.Address]);
        node.Start(T0);
        node.Receive(seed.Self, new InitJoinAck("session-cluster"), T0);
        var welcome = seed.Receive(joiner, new Join("session-cluster", ["worker"]), T0).OfType<Send>().Select(send => send.Message).OfType<Welcome>().Single();
        node.Receive(seed.Self, welcome, T0);
        return node;
    }

    [Fact]
    public void LoneFirstSeed_WaitsSeedNodeTimeoutBeforeFormingAlone()
    {
        var node = NewNode(A, [A.Address]);

        Assert.Empty(node.Start(T0));
        node.Tick(T0 + node.Settings.SeedNodeTimeout - TimeSpan.FromMilliseconds(1));
        Assert.Equal(MembershipPhase.Seeking, node.Phase);

        node.Tick(T0 + node.Settings.SeedNodeTimeout);
        Assert.Equal(MembershipPhase.Member, node.Phase);
        Assert.Equal(MemberStatus.Up, node.SelfStatus);
    }

    [Fact]
    public void LoneFirstSeed_AloneInTheClusterItFormed_JoinsTheClusterThatInvitesIt()
    {
        // Restarted, it formed a cluster alone before the invitation got through (the members' connection to its
        // address was backing off): alone, it leaves nobody behind, so it joins the inviter's cluster.
        var seed = NewNode(A, [A.Address]);
        seed.Start(T0);
        var formed = T0 + seed.Settings.SeedNodeTimeout;
        seed.Tick(formed);
        Assert.Equal(MembershipPhase.Member, seed.Phase);

        var effects = seed.Receive(B, new InitJoinAck("session-cluster"), formed);

        Assert.Contains(effects, e => e is Publish { Event: JoiningExistingCluster { By: var by } } && by == B.Address);
        Assert.Contains(effects, e => e is Send { Message: SessionCluster.Actors.Membership.Join } send && send.To == B.Address);
        Assert.Equal(MembershipPhase.AwaitingWelcome, seed.Phase);

        var member = NewNode(B);
        member.Start(T0);
        var welcome = member.Receive(A, new Join("session-cluster", ["worker"]), formed).OfType<Send>().Select(send => send.Message).OfType<Welcome>().Single();
        seed.Receive(B, welcome, formed);

        Assert.Equal(MembershipPhase.Member, seed.Phase);
        Assert.Equal(2, seed.Gossip.Members.Count);
        Assert.Equal(B, seed.Leader);
    }

    [Fact]
    public void Invitation_IgnoredByANodeThatIsNotALoneFirstSeed()
    {
        var standalone = NewNode(A); // no seeds: not a first seed
        standalone.Start(T0);
        Assert.Empty(standalone.Receive(B, new InitJoinAck("session-cluster"), T0));
        Assert.Equal(MembershipPhase.Member, standalone.Phase);

        var seed = NewNode(A, [A.Address]);
        seed.Start(T0);
        seed.Tick(T0 + seed.Settings.SeedNodeTimeout);
        Assert.Empty(seed.Receive(B, new InitJoinAck("another-cluster"), T0 + seed.Settings.SeedNodeTimeout));
        Assert.Equal(MembershipPhase.Member, seed.Phase);
    }

    [Fact]
    public void Seeking_NoSeedLetsItIn_SaysSoEveryTwoSeedNodeTimeouts_UntilItJoins()
    {
        var wrongSeed = new NodeAddress("nobody", 1);
        var node = NewNode(B, [wrongSeed]);
        node.Start(T0);
        var interval = node.Settings.SeedNodeTimeout * 2;

        Assert.DoesNotContain(node.Tick(T0 + interval - TimeSpan.FromMilliseconds(1)), e => e is Publish { Event: StillJoining });
        var first = Assert.Single(node.Tick(T0 + interval).OfType<Publish>().Select(p => p.Event).OfType<StillJoining>());
        Assert.Equal(new[] { wrongSeed }, first.Seeds.ToArray());
        Assert.Equal(interval, first.Waited);
        Assert.Contains("nobody:1", first.ToString(), StringComparison.Ordinal);
        Assert.Contains("seed-nodes", first.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(node.Tick(T0 + interval + TimeSpan.FromSeconds(1)), e => e is Publish { Event: StillJoining });
        Assert.Contains(node.Tick(T0 + interval * 2), e => e is Publish { Event: StillJoining });

        // Once a member, never again.
        var seed = NewNode(A);
        seed.Start(T0);
        var join = node.Receive(A, new InitJoinAck("session-cluster"), T0 + interval * 2).OfType<Send>().Select(send => send.Message).OfType<SessionCluster.Actors.Membership.Join>().Single();
        var welcome = seed.Receive(B, join, T0).OfType<Send>().Select(send => send.Message).OfType<Welcome>().Single();
        node.Receive(A, welcome, T0 + interval * 2);
        Assert.DoesNotContain(node.Tick(T0 + interval * 4), e => e is Publish { Event: StillJoining });
    }

    internal static MembershipNode NewNode(UniqueAddress self, IReadOnlyList<NodeAddress>? seeds = null, string route = "") =>
        new(self, ClusterSettings.Default with { SeedNodes = seeds ?? [] }, ["worker"], new Random(1), route: route);
}
