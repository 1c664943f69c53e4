using System.Collections.Immutable;
using System.Text;
using Google.Protobuf;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Tests.Remoting;
using SessionCluster.TestKit;
using Wire = SessionCluster.Actors.Membership.Wire;

namespace SessionCluster.Actors.Tests.Membership;

/// <summary>The membership wire format: every message survives the trip through <see cref="WireSerializer"/> (simple
/// values, gossips from real simulations, seeded random gossips) and over TCP, and malformed input is rejected with an
/// error that names the field.</summary>
public sealed class MembershipWireFormatTests : IAsyncLifetime
{
    private const int RandomCases = 200;
    private static readonly TimeSpan SimulationTimeout = TimeSpan.FromSeconds(30);
    private static readonly FrozenWire Codec = new(MembershipWireFormat.Register);

    private static readonly UniqueAddress A = new(new NodeAddress("10.0.0.1", 4000), 11);
    private static readonly UniqueAddress B = new(new NodeAddress("10.0.0.2", 4000), 22);
    private static readonly UniqueAddress C = new(new NodeAddress("10.0.0.3", 4000), 33);
    private static readonly UniqueAddress D = new(new NodeAddress("10.0.0.4", 4000), 44);
    private static readonly UniqueAddress E = new(new NodeAddress("10.0.0.5", 4000), 55);
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly List<IAsyncDisposable> _disposables = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }
    }

    [Fact]
    public void Register_BindsEachMessageToItsId_AllInTheMembershipRange()
    {
        var expected = new Dictionary<Type, int>
        {
            [typeof(InitJoin)] = WireTypeIds.InitJoin,
            [typeof(InitJoinAck)] = WireTypeIds.InitJoinAck,
            [typeof(InitJoinNack)] = WireTypeIds.InitJoinNack,
            [typeof(JoinRefusal)] = WireTypeIds.JoinRefusal,
            [typeof(Join)] = WireTypeIds.Join,
            [typeof(Welcome)] = WireTypeIds.Welcome,
            [typeof(GossipEnvelope)] = WireTypeIds.GossipEnvelope,
            [typeof(Heartbeat)] = WireTypeIds.Heartbeat,
            [typeof(HeartbeatAck)] = WireTypeIds.HeartbeatAck,
        };

        foreach (var (type, id) in expected)
        {
            Assert.True(Codec.Serializer.TryGetByType(type, out var binding), $"{type.Name} is registered");
            Assert.Equal(id, binding.TypeId);
            Assert.InRange(id, 100, 199);
        }

        Assert.Equal(expected.Count, expected.Values.Distinct().Count());
    }

    [Fact]
    public void Register_Twice_Throws()
    {
        var serializer = new WireSerializer();
        MembershipWireFormat.Register(serializer);

        Assert.Throws<InvalidOperationException>(() => MembershipWireFormat.Register(serializer));
    }

    [Fact]
    public void RoundTrip_JoinHandshakeMessages_AreEqual()
    {
        Codec.AssertRoundTrip(new InitJoin("session-cluster"));
        Codec.AssertRoundTrip(new InitJoinAck("session-cluster"));
        Codec.AssertRoundTrip(new InitJoinNack("clüster ☃"));
        Codec.AssertRoundTrip(new JoinRefusal("a", "cluster name 'b' is not 'a'"));
        Codec.AssertRoundTrip(new JoinRefusal("a", string.Empty));
    }

    [Fact]
    public void RoundTrip_Join_KeepsNameAndRolesInOrder()
    {
        foreach (var roles in new[] { Array.Empty<string>(), ["worker"], ["worker", "front", "", "ü", "front"] })
        {
            var decoded = Codec.RoundTrip(new Join("session-cluster", roles));

            Assert.Equal("session-cluster", decoded.ClusterName);
            Assert.Equal(roles, decoded.Roles);
            Assert.Equal(string.Empty, decoded.Route);
        }

        Assert.Equal("w-1_A", Codec.RoundTrip(new Join("session-cluster", ["worker"], "w-1_A")).Route);
    }

    [Fact]
    public void Route_OnTheWire_IsOneANodeCouldHave()
    {
        Codec.AssertMalformed(WireTypeIds.Join, new Wire.Join { ClusterName = "c", Route = "w1; Path=/" }, "Join.route is not a route");
        Codec.AssertMalformed(WireTypeIds.Join, new Wire.Join { ClusterName = "c", Route = new string('w', 65) }, "Join.route is not a route");
        Assert.Throws<ArgumentException>(() => Codec.Encode(new Join("c", [], "w 1")));
        Assert.Throws<ArgumentException>(() => Codec.Encode(new GossipEnvelope(A, Gossip.Empty.WithMember(new Member(A, MemberStatus.Up, [], 1, "ü")))));
    }

    [Fact]
    public void RoundTrip_HeartbeatAndAck_KeepTheIncarnation_ExtremeValuesIncluded()
    {
        UniqueAddress[] targets =
        [
            A,
            new(new NodeAddress("::1", 65535), long.MinValue),
            new(new NodeAddress("fe80::1%eth0", 1), long.MaxValue),
            new(new NodeAddress(new string('h', 255), 80), 0),
            new(new NodeAddress("hôte-ü.example", 2552), -1),
        ];

        foreach (var target in targets)
        {
            Codec.AssertRoundTrip(new Heartbeat(target));
            Codec.AssertRoundTrip(new HeartbeatAck(target));
        }
    }

    [Fact]
    public void RoundTrip_WelcomeAndEnvelope_OfHandBuiltAndEmptyGossips_AreEqual()
    {
        foreach (var gossip in new[] { Gossip.Empty, HandBuiltGossip() })
        {
            Codec.AssertRoundTrip(new Welcome(C, gossip));
            Codec.AssertRoundTrip(new GossipEnvelope(B, gossip));
        }
    }

    [Theory]
    [InlineData(81)]
    [InlineData(82)]
    public async Task RoundTrip_EveryGossipOfASimulatedJoinCrashAndLeave_IsEqual(int seed)
    {
        var gossips = await SimulatedGossips(seed);

        // The run must have produced what the format has to carry, or the test proves little.
        var statuses = gossips.SelectMany(g => g.Members.Values).Select(m => m.Status).ToHashSet();
        Assert.Superset(new HashSet<MemberStatus> { MemberStatus.Joining, MemberStatus.Up, MemberStatus.Leaving, MemberStatus.Exiting, MemberStatus.Down }, statuses);
        Assert.Contains(gossips, g => g.Tombstones.Count >= 2);
        Assert.Contains(gossips, g => g.Reachability.Records.Any());
        Assert.Contains(gossips, g => g.SeenBy.Count >= 5);
        Assert.Contains(gossips, g => g.Version.Entries.Count >= 3);
        Assert.Contains(gossips, g => g.Members.Values.SelectMany(m => m.Roles).Distinct().Count() >= 3);

        foreach (var gossip in gossips)
        {
            var to = gossip.Members.Keys.FirstOrDefault() ?? A;
            var decoded = Codec.AssertRoundTrip(new GossipEnvelope(to, gossip));
            Codec.AssertRoundTrip(new Welcome(to, gossip));
            Assert.Equal(gossip.Leader(to), decoded.Gossip.Leader(to));
            Assert.Equal(gossip.IsConverged(to), decoded.Gossip.IsConverged(to));
            Assert.Equal(gossip.Unreachable, decoded.Gossip.Unreachable);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RoundTrip_SeededRandomGossips_AreEqual(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < RandomCases; i++)
        {
            var gossip = RandomGossip(random);
            try
            {
                Codec.AssertRoundTrip(new GossipEnvelope(RandomAddress(random), gossip));
            }
            catch (Exception failure)
            {
                throw new Xunit.Sdk.XunitException($"Round trip failed for seed {seed}, case {i}:{Environment.NewLine}{gossip}{Environment.NewLine}{failure}");
            }
        }
    }

    [Fact]
    public async Task Encode_SimulatedGossip_WritesEachHostOnce()
    {
        var gossip = (await SimulatedGossips(83)).MaxBy(g => g.Members.Count + g.Tombstones.Count + g.SeenBy.Count + g.Version.Entries.Count)!;
        var bytes = Codec.Encode(new GossipEnvelope(A, gossip));

        var hosts = gossip.Members.Keys.Concat(gossip.Tombstones.Keys).Select(node => node.Address.Host).Distinct().ToList();
        Assert.True(hosts.Count >= 5, $"a rich gossip: {gossip}");
        Assert.All(hosts, host => Assert.Equal(1, Occurrences(bytes, Encoding.UTF8.GetBytes(host))));
    }

    [Fact]
    public void Decode_HandBuiltGossip_IsEqual_TheBaseOfTheMalformedCases()
    {
        var wire = MembershipWireFormat.ToWire(new GossipEnvelope(E, HandBuiltGossip()));

        Assert.Equal(HandBuiltGossip(), MembershipWireFormat.FromWire(wire).Gossip);
    }

    [Fact]
    public void Decode_RowWithoutRefusedIndexes_AsOlderNodesWriteIt_ReadsThemAsPlainlyUnreachable()
    {
        var wire = MembershipWireFormat.ToWire(new GossipEnvelope(E, HandBuiltGossip()));
        var row = wire.Gossip.Reachability[0];
        Assert.Single(row.RefusedIndexes);

        row.RefusedIndexes.Clear();
        var reachability = MembershipWireFormat.FromWire(wire).Gossip.Reachability;

        Assert.Equal([B], reachability.UnreachableBy(A));
        Assert.Empty(reachability.RefusedBy(A));
    }

    /// <summary>Each case breaks one rule of the hand-built gossip's wire form; the error must name the field.</summary>
    private static readonly Dictionary<string, (Action<Wire.GossipEnvelope, Indexes> Mutate, string Expected)> MalformedGossips = new()
    {
        ["envelope without to"] = ((w, _) => w.To = null, "GossipEnvelope.to is missing"),
        ["envelope without gossip"] = ((w, _) => w.Gossip = null, "GossipEnvelope.gossip is missing"),
        ["address with empty host"] = ((w, _) => w.Gossip.Addresses[1].Host = string.Empty, "GossipEnvelope.gossip.addresses[1].host has 0 characters"),
        ["address with port 0"] = ((w, _) => w.Gossip.Addresses[0].Port = 0, "gossip.addresses[0].port is 0"),
        ["address with port 70000"] = ((w, _) => w.Gossip.Addresses[0].Port = 70_000, "gossip.addresses[0].port is 70000"),
        ["address without uid"] = ((w, _) => w.Gossip.Addresses[2].ClearUid(), "gossip.addresses[2].uid is missing"),
        ["address twice"] = ((w, _) => w.Gossip.Addresses.Add(w.Gossip.Addresses[0].Clone()), "gossip.addresses[5] repeats 10.0.0.1:4000#11"),
        ["role twice"] = ((w, _) => w.Gossip.Roles.Add("worker"), "gossip.roles[2] repeats the role 'worker'"),
        ["member index out of range"] = ((w, x) => w.Gossip.Members[0].AddressIndex = x.Size, "gossip.members[0].address_index is 5, outside the address table of 5 entries"),
        ["member index missing"] = ((w, _) => w.Gossip.Members[1].ClearAddressIndex(), "gossip.members[1].address_index is missing"),
        ["member twice"] = ((w, _) => w.Gossip.Members.Add(w.Gossip.Members[0].Clone()), "gossip.members[3] repeats the member 10.0.0.1:4000#11"),
        ["member status missing"] = ((w, _) => w.Gossip.Members[0].Status = Wire.MemberStatus.Unspecified, "gossip.members[0].status is missing"),
        ["member status unknown"] = ((w, _) => w.Gossip.Members[0].Status = (Wire.MemberStatus)42, "gossip.members[0].status is 42, not a known member status"),
        ["member up-number too big"] = ((w, _) => w.Gossip.Members[0].UpNumber = uint.MaxValue, "gossip.members[0].up_number is 4294967295"),
        ["member role index out of range"] = ((w, _) => w.Gossip.Members[0].RoleIndexes[1] = 2, "gossip.members[0].role_indexes[1] is 2, outside the role table of 2 entries"),
        ["member role index twice"] = ((w, _) => w.Gossip.Members[0].RoleIndexes.Add(0), "gossip.members[0].role_indexes[2] repeats front"),
        ["member route not a route"] = ((w, _) => w.Gossip.Members[1].Route = "w2\r\nSet-Cookie: x", "gossip.members[1].route is not a route"),
        ["tombstone index out of range"] = ((w, _) => w.Gossip.Tombstones[0].AddressIndex = 99, "gossip.tombstones[0].address_index is 99, outside the address table"),
        ["tombstone time missing"] = ((w, _) => w.Gossip.Tombstones[0].ClearRemovedAtUtcTicks(), "gossip.tombstones[0].removed_at_utc_ticks is missing"),
        ["tombstone time negative"] = ((w, _) => w.Gossip.Tombstones[0].RemovedAtUtcTicks = -1, "gossip.tombstones[0].removed_at_utc_ticks is -1, outside 0 to"),
        ["tombstone of a member"] = ((w, x) => w.Gossip.Tombstones.Add(new Wire.Tombstone { AddressIndex = x.Of(B), RemovedAtUtcTicks = 1 }),
            "gossip.tombstones[1] tombstones 10.0.0.2:4000#22, which is also a member"),
        ["tombstone twice"] = ((w, _) => w.Gossip.Tombstones.Add(w.Gossip.Tombstones[0].Clone()), "gossip.tombstones[1] repeats the tombstone of 10.0.0.4:4000#44"),
        ["reachability observer missing"] = ((w, _) => w.Gossip.Reachability[0].ClearObserverIndex(), "gossip.reachability[0].observer_index is missing"),
        ["reachability row twice"] = ((w, _) => w.Gossip.Reachability.Add(w.Gossip.Reachability[0].Clone()), "gossip.reachability[1] repeats the row of observer 10.0.0.1:4000#11"),
        ["reachability version 0"] = ((w, _) => w.Gossip.Reachability[0].Version = 0, "gossip.reachability[0].version is 0, outside 1 to"),
        ["reachability subject out of range"] = ((w, _) => w.Gossip.Reachability[0].UnreachableIndexes.Add(1000), "gossip.reachability[0].unreachable_indexes[1] is 1000, outside the address table"),
        ["reachability subject twice"] = ((w, x) => w.Gossip.Reachability[0].UnreachableIndexes.Add(x.Of(B)), "gossip.reachability[0].unreachable_indexes[1] repeats 10.0.0.2:4000#22"),
        ["reachability of a tombstone"] = ((w, x) => w.Gossip.Reachability[0].UnreachableIndexes.Add(x.Of(D)), "gossip.reachability[0].unreachable_indexes names 10.0.0.4:4000#44, which is tombstoned"),
        ["reachability by a tombstone"] = ((w, x) => w.Gossip.Reachability[0].ObserverIndex = x.Of(D), "gossip.reachability[0].observer_index names 10.0.0.4:4000#44, which is tombstoned"),
        ["refused subject out of range"] = ((w, _) => w.Gossip.Reachability[0].RefusedIndexes.Add(1000), "gossip.reachability[0].refused_indexes[1] is 1000, outside the address table"),
        ["refused subject twice"] = ((w, x) => w.Gossip.Reachability[0].RefusedIndexes.Add(x.Of(B)), "gossip.reachability[0].refused_indexes[1] repeats 10.0.0.2:4000#22"),
        ["refused subject not unreachable"] = ((w, x) => w.Gossip.Reachability[0].RefusedIndexes.Add(x.Of(C)),
            "gossip.reachability[0].refused_indexes names 10.0.0.3:4000#33, which the row does not report unreachable"),
        ["version count 0"] = ((w, _) => w.Gossip.Version[0].Count = 0, "gossip.version[0].count is 0, outside 1 to"),
        ["version count above long"] = ((w, _) => w.Gossip.Version[0].Count = ulong.MaxValue, "gossip.version[0].count is 18446744073709551615, outside 1 to"),
        ["version index missing"] = ((w, _) => w.Gossip.Version[2].ClearAddressIndex(), "gossip.version[2].address_index is missing"),
        ["version entry twice"] = ((w, _) => w.Gossip.Version.Add(w.Gossip.Version[0].Clone()), "gossip.version[3] repeats the version entry of 10.0.0.1:4000#11"),
        ["version entry of a stranger"] = ((w, x) => w.Gossip.Version.Add(new Wire.VersionEntry { AddressIndex = x.Of(E), Count = 1 }),
            "gossip.version[3] counts changes of 10.0.0.5:4000#55, which is neither a member nor tombstoned"),
        ["seen index out of range"] = ((w, _) => w.Gossip.SeenBy.Add(5), "gossip.seen_by[3] is 5, outside the address table of 5 entries"),
        ["seen twice"] = ((w, _) => w.Gossip.SeenBy.Add(w.Gossip.SeenBy[0]), "gossip.seen_by[3] repeats 10.0.0.1:4000#11"),
        ["seen by a tombstone"] = ((w, x) => w.Gossip.SeenBy.Add(x.Of(D)), "gossip.seen_by names 10.0.0.4:4000#44, which is tombstoned"),
    };

    public static TheoryData<string> MalformedGossipCases() => [.. MalformedGossips.Keys];

    [Theory]
    [MemberData(nameof(MalformedGossipCases))]
    public void Decode_MalformedGossip_ThrowsNamingTheField(string name)
    {
        var (mutate, expected) = MalformedGossips[name];
        var wire = MembershipWireFormat.ToWire(new GossipEnvelope(E, HandBuiltGossip()));
        mutate(wire, new Indexes(wire.Gossip));

        var error = Assert.Throws<InvalidDataException>(() => Codec.Decode(WireTypeIds.GossipEnvelope, wire.ToByteArray()));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Decode_MalformedSimpleMessages_ThrowNamingTheField()
    {
        Codec.AssertMalformed(WireTypeIds.InitJoin, new Wire.InitJoin(), "InitJoin.cluster_name is missing");
        Codec.AssertMalformed(WireTypeIds.InitJoinAck, new Wire.InitJoinAck(), "InitJoinAck.cluster_name is missing");
        Codec.AssertMalformed(WireTypeIds.InitJoinNack, new Wire.InitJoinNack(), "InitJoinNack.cluster_name is missing");
        Codec.AssertMalformed(WireTypeIds.JoinRefusal, new Wire.JoinRefusal { Reason = "x" }, "JoinRefusal.cluster_name is missing");
        Codec.AssertMalformed(WireTypeIds.Join, new Wire.Join { Roles = { "worker" } }, "Join.cluster_name is missing");
        Codec.AssertMalformed(WireTypeIds.Heartbeat, new Wire.Heartbeat(), "Heartbeat.to is missing");
        Codec.AssertMalformed(WireTypeIds.HeartbeatAck, new Wire.HeartbeatAck { To = new Wire.UniqueAddress { Host = "h", Port = 1 } }, "HeartbeatAck.to.uid is missing");
        Codec.AssertMalformed(WireTypeIds.Welcome, new Wire.Welcome { To = MembershipWireFormat.ToWire(A) }, "Welcome.gossip is missing");
        Codec.AssertMalformed(WireTypeIds.Welcome, new Wire.Welcome { Gossip = new Wire.Gossip() }, "Welcome.to is missing");
    }

    [Fact]
    public void Decode_TruncatedBytes_Throws()
    {
        var bytes = Codec.Encode(new GossipEnvelope(A, HandBuiltGossip()));

        Assert.IsType<InvalidProtocolBufferException>(Assert.Throws<InvalidDataException>(() => Codec.Decode(WireTypeIds.GossipEnvelope, bytes[..^3])).InnerException);
    }

    [Fact]
    public void Encode_ValuesNoNodeCouldSend_Throw()
    {
        Assert.Throws<ArgumentException>(() => Codec.Encode(new Heartbeat(new UniqueAddress(new NodeAddress("h", 0), 1))));
        Assert.Throws<ArgumentException>(() => Codec.Encode(new Heartbeat(new UniqueAddress(new NodeAddress(string.Empty, 1), 1))));
        Assert.Throws<ArgumentException>(() => Codec.Encode(new InitJoin(string.Empty)));
    }

    [Fact]
    public async Task Tcp_TwoNodesExchangeSimulatedGossip_ReceivedEqual()
    {
        var gossips = await SimulatedGossips(84);
        var fromA = gossips.MaxBy(g => g.Members.Count + g.Tombstones.Count + g.Reachability.Records.Count())!;
        var fromB = gossips[^1];
        var (a, inboxA) = await StartTcp(uid: 901);
        var (b, inboxB) = await StartTcp(uid: 902);

        Assert.True(a.Send(b.Self.Address, new GossipEnvelope(b.Self, fromA)));
        var atB = Assert.Single(await inboxB.WaitFor(1, "B receives A's gossip"));
        Assert.True(b.Send(atB.From.Address, new GossipEnvelope(atB.From, fromB)));
        var atA = Assert.Single(await inboxA.WaitFor(1, "A receives B's reply"));

        Assert.Equal(a.Self, atB.From);
        Assert.Equal(new GossipEnvelope(b.Self, fromA), atB.Message);
        Assert.Equal(b.Self, atA.From);
        Assert.Equal(new GossipEnvelope(a.Self, fromB), atA.Message);
        Assert.Equal(0, a.ConnectionsClosedOnBadInput + b.ConnectionsClosedOnBadInput);
    }

    [Fact]
    public async Task Tcp_EveryMembershipMessage_ArrivesEqualAndInOrder()
    {
        var (a, _) = await StartTcp(uid: 903);
        var (b, inboxB) = await StartTcp(uid: 904);
        object[] messages =
        [
            new InitJoin("c"), new InitJoinAck("c"), new InitJoinNack("c"), new JoinRefusal("c", "wrong name"),
            new Welcome(b.Self, HandBuiltGossip()), new GossipEnvelope(b.Self, HandBuiltGossip()), new Heartbeat(b.Self), new HeartbeatAck(b.Self),
        ];

        foreach (var message in messages)
        {
            Assert.True(a.Send(b.Self.Address, message));
        }

        Assert.True(a.Send(b.Self.Address, new Join("c", ["worker", "front"])));
        var received = await inboxB.WaitFor(messages.Length + 1, "B receives every membership message");

        Assert.Equal(messages, received.Take(messages.Length).Select(r => r.Message));
        var join = Assert.IsType<Join>(received[^1].Message);
        Assert.Equal(new[] { "worker", "front" }, join.Roles);
    }

    /// <summary>Members (with roles and up-numbers), a tombstone with a version entry, a reachability row with a refused
    /// subject, a non-member in "seen by": one of everything, for the malformed cases to break.</summary>
    private static Gossip HandBuiltGossip()
    {
        var gossip = Gossip.Empty
            .WithMember(new Member(A, MemberStatus.Up, ["worker", "front"], 1, "a-1"))
            .WithMember(new Member(B, MemberStatus.Up, ["worker"], 2, "b_2"))
            .WithMember(new Member(C, MemberStatus.Joining, []))
            .WithMember(new Member(D, MemberStatus.Up, [], 3))
            .ChangedBy(A).ChangedBy(A).ChangedBy(B).ChangedBy(D)
            .Remove(D, T0.AddTicks(7));
        return gossip.WithReachability(gossip.Reachability.MarkUnreachable(A, B, refused: true)).Seen(A).Seen(B).Seen(E);
    }

    private static int Occurrences(byte[] haystack, byte[] needle)
    {
        var count = 0;
        for (var i = 0; i + needle.Length <= haystack.Length; i++)
        {
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle))
            {
                count++;
            }
        }

        return count;
    }

    private async Task<(TcpTransport Node, RecordingHandler Inbox)> StartTcp(long uid)
    {
        var serializer = new WireSerializer();
        MembershipWireFormat.Register(serializer);
        var node = new TcpTransport(TcpTestSettings.Loopback(), serializer, uid);
        _disposables.Add(node);
        var inbox = new RecordingHandler { Transport = node };
        await node.StartAsync(inbox, CancellationToken.None);
        return (node, inbox);
    }

    /// <summary>Every distinct view any node held, step by step, while five nodes with assorted roles join, one
    /// crashes (unreachable, downed, removed) and one leaves (leaving, exiting, removed).</summary>
    private static async Task<IReadOnlyList<Gossip>> SimulatedGossips(int seed)
    {
        var simulation = new ClusterSimulation(seed);
        NodeAddress[] seeds = [ClusterSimulation.AddressOf(0), ClusterSimulation.AddressOf(1)];
        string[][] roles = [["front", "worker"], ["worker"], ["lighthouse"], [], ["worker", "front", "singleton-host"]];
        var nodes = new List<SimulatedNode>();
        for (var i = 0; i < roles.Length; i++)
        {
            nodes.Add(await simulation.StartAsync(ClusterSimulation.AddressOf(i), seeds, roles[i]));
        }

        var gossips = new List<Gossip>();
        var known = new HashSet<Gossip>(ReferenceEqualityComparer.Instance);
        Func<bool> Collecting(Func<bool> condition) => () =>
        {
            foreach (var node in simulation.AllIncarnations)
            {
                if (known.Add(node.Machine.Gossip))
                {
                    gossips.Add(node.Machine.Gossip);
                }
            }

            return condition();
        };

        simulation.RunUntil(Collecting(() => nodes.All(n => n.SeesAllUp(5) && n.Machine.IsConverged)), SimulationTimeout, "five nodes Up");
        var (crashed, leaver) = (nodes[3], nodes[4]);
        simulation.Crash(crashed.Address);
        var survivors = nodes.Where(n => n != crashed).ToList();
        simulation.RunUntil(Collecting(() => survivors.All(n => n.SeesAllUp(4))), SimulationTimeout, $"{crashed.Self} removed");
        simulation.Leave(leaver.Address);
        var remaining = survivors.Where(n => n != leaver).ToList();
        simulation.RunUntil(Collecting(() => !leaver.IsRunning && remaining.All(n => n.SeesAllUp(3))), SimulationTimeout, $"{leaver.Self} left");
        return gossips;
    }

    /// <summary>Any gossip a node could hold and more: colliding addresses with different uids, every status, extreme
    /// numbers and times, odd hosts and roles, reachability of non-members, "seen by" non-members.</summary>
    internal static Gossip RandomGossip(Random random)
    {
        string[] rolePool = ["worker", "front", "lighthouse", "", "rôle-ü", "a,b"];
        var nodes = Enumerable.Range(0, random.Next(0, 14)).Select(_ => RandomAddress(random)).Distinct().ToArray();
        var members = ImmutableSortedDictionary.CreateBuilder<UniqueAddress, Member>();
        var tombstones = ImmutableSortedDictionary.CreateBuilder<UniqueAddress, DateTimeOffset>();
        var version = new Dictionary<UniqueAddress, long>();
        var seen = ImmutableSortedSet.CreateBuilder<UniqueAddress>();
        var rows = new List<(UniqueAddress, long, IEnumerable<UniqueAddress>, IEnumerable<UniqueAddress>)>();
        foreach (var node in nodes)
        {
            switch (random.Next(5))
            {
                case 0:
                    break;
                case 1:
                    tombstones[node] = random.Next(4) switch
                    {
                        0 => DateTimeOffset.MinValue,
                        1 => DateTimeOffset.MaxValue,
                        2 => new DateTimeOffset(random.NextInt64(TimeSpan.TicksPerDay, DateTimeOffset.MaxValue.UtcTicks - TimeSpan.TicksPerDay), TimeSpan.Zero)
                            .ToOffset(TimeSpan.FromHours(random.Next(-12, 13))),
                        _ => T0.AddTicks(random.NextInt64(1_000_000_000)),
                    };
                    break;
                default:
                    var status = (MemberStatus)random.Next(1, 7);
                    var up = random.Next(4) switch { 0 => 0, 1 => int.MaxValue, _ => random.Next(1, 200) };
                    members[node] = new Member(node, status, rolePool.Where(_ => random.Next(3) == 0), up, random.Next(2) == 0 ? string.Empty : $"r{random.Next(100)}");
                    break;
            }

            if (random.Next(2) == 0)
            {
                version[node] = random.Next(3) == 0 ? long.MaxValue : random.NextInt64(1, 1_000_000);
            }

            if (random.Next(2) == 0)
            {
                seen.Add(node);
            }

            if (nodes.Length > 0 && random.Next(3) == 0)
            {
                var subjects = nodes.Where(_ => random.Next(4) == 0).ToList();
                var refused = subjects.Where(_ => random.Next(2) == 0).ToList();
                rows.Add((node, random.Next(3) == 0 ? long.MaxValue : random.NextInt64(1, 1000), subjects, refused));
            }
        }

        return new Gossip(members.ToImmutable(), tombstones.ToImmutable(), Reachability.FromRows(rows), GossipVersion.Of(version), seen.ToImmutable());
    }

    internal static UniqueAddress RandomAddress(Random random)
    {
        string[] hosts = ["10.0.0.1", "10.0.0.2", "node-7.cluster.local", "::1", "fe80::1%eth0", "höst-ü", new string('x', 255)];
        int[] ports = [1, 2552, 4000, 65535];
        var uid = random.Next(5) switch { 0 => long.MinValue, 1 => long.MaxValue, 2 => random.Next(3), _ => random.NextInt64(long.MinValue, long.MaxValue) };
        return new UniqueAddress(new NodeAddress(hosts[random.Next(hosts.Length)], ports[random.Next(ports.Length)]), uid);
    }

    /// <summary>Positions in the hand-built gossip's wire tables, so the malformed cases can aim.</summary>
    private sealed class Indexes(Wire.Gossip wire)
    {
        public uint Of(UniqueAddress node) => (uint)wire.Addresses.ToList().FindIndex(a => a.Host == node.Address.Host && a.Uid == node.Uid);

        public uint Size => (uint)wire.Addresses.Count;
    }
}
