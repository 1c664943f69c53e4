using System.Collections.Immutable;
using System.Text;
using Google.Protobuf;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;
using SessionCluster.Actors.Tests.Remoting;
using Wire = SessionCluster.Actors.Sharding.Wire;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>The sharding wire format: every message survives the trip through <see cref="WireSerializer"/> exactly
/// (every command and reply kind, big transfers, extreme numbers) and over TCP, and malformed input is rejected with an
/// error that names the field.</summary>
public sealed class ShardingWireFormatTests : IAsyncLifetime
{
    private static readonly FrozenWire Codec = new(ShardingWireFormat.Register);

    private static readonly NodeAddress A = new("10.0.0.1", 4000);
    private static readonly NodeAddress B = new("node-b.cluster.local", 65535);
    private static readonly NodeAddress C = new("::1", 1);
    private static readonly SessionId Id = new(new UInt128(0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210));
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
    public void Register_BindsEachMessageToItsId_AllInTheShardingRange_HotPathLowest()
    {
        var expected = new Dictionary<Type, int>
        {
            [typeof(ShardEnvelope)] = WireTypeIds.ShardEnvelope,
            [typeof(ShardReply)] = WireTypeIds.ShardReply,
            [typeof(ShardNotHere)] = WireTypeIds.ShardNotHere,
            [typeof(ShardTransfer)] = WireTypeIds.ShardTransfer,
            [typeof(ShardTransferAck)] = WireTypeIds.ShardTransferAck,
            [typeof(GetShardHome)] = WireTypeIds.GetShardHome,
            [typeof(ShardHomes)] = WireTypeIds.ShardHomes,
            [typeof(RegisterRegion)] = WireTypeIds.RegisterRegion,
            [typeof(QueryRegion)] = WireTypeIds.QueryRegion,
            [typeof(RegionReport)] = WireTypeIds.RegionReport,
            [typeof(HandOffShard)] = WireTypeIds.HandOffShard,
            [typeof(ShardReceived)] = WireTypeIds.ShardReceived,
            [typeof(DrainRegion)] = WireTypeIds.DrainRegion,
            [typeof(BackupSynced)] = WireTypeIds.BackupSynced,
        };

        foreach (var (type, id) in expected)
        {
            Assert.True(Codec.Serializer.TryGetByType(type, out var binding), $"{type.Name} is registered");
            Assert.Equal(id, binding.TypeId);
            Assert.InRange(id, 20, 39);
        }

        Assert.Equal(expected.Count, expected.Values.Distinct().Count());
        Assert.Equal(new[] { 20, 21, 22 }, new[] { WireTypeIds.ShardEnvelope, WireTypeIds.ShardReply, WireTypeIds.ShardNotHere });

        // Hand-off offers came after the range was full.
        Assert.True(Codec.Serializer.TryGetByType(typeof(ShardTransferOffer), out var offer) && offer.TypeId == WireTypeIds.ShardTransferOffer);
        Assert.True(Codec.Serializer.TryGetByType(typeof(ShardTransferDeclined), out var declined) && declined.TypeId == WireTypeIds.ShardTransferDeclined);
        Assert.Equal([55, 56], [WireTypeIds.ShardTransferOffer, WireTypeIds.ShardTransferDeclined]);
    }

    [Fact]
    public void Register_Twice_Throws_AndBesideMembership_Succeeds()
    {
        var serializer = new WireSerializer();
        MembershipWireFormat.Register(serializer);
        ShardingWireFormat.Register(serializer);

        Assert.Throws<InvalidOperationException>(() => ShardingWireFormat.Register(serializer));
    }

    [Fact]
    public void RoundTrip_CoordinatorMessages_AreEqual_ExtremeValuesIncluded()
    {
        foreach (var value in new[] { 0L, 1L, 127L, 128L, long.MaxValue })
        {
            var shard = (int)Math.Min(value, int.MaxValue);
            Codec.AssertRoundTrip(new QueryRegion(value));
            Codec.AssertRoundTrip(new GetShardHome(shard));
            Codec.AssertRoundTrip(new HandOffShard(value, shard, B, value));
            Codec.AssertRoundTrip(new ShardReceived(value, shard, value));
            Codec.AssertRoundTrip(new ShardTransferAck(shard, value, shard));
            Codec.AssertRoundTrip(new ShardTransferDeclined(shard, value, shard));
        }

        Codec.AssertRoundTrip(new RegisterRegion(true));
        Codec.AssertRoundTrip(new RegisterRegion(false));
        Codec.AssertRoundTrip(new DrainRegion(true));
        Codec.AssertRoundTrip(new DrainRegion(false));
        Codec.AssertRoundTrip(new HandOffShard(3, 7, new NodeAddress(new string('h', 255), 2552), 9));
        Codec.AssertRoundTrip(new HandOffShard(3, 7, new NodeAddress("hôte-ü.example", 2552), 9));
    }

    [Fact]
    public void RoundTrip_Envelope_CarriesEveryCommandKind()
    {
        SessionCommand[] commands =
        [
            new CreateSession(Id), new GetSession(Id), new GetAttribute(Id, "cart ☃"), new SetAttribute(Id, "cart", "{\"n\":[1,2]}"u8.ToArray()),
            new RemoveAttribute(Id, "cart"), new IncrementAttribute(Id, "n", -1, IncrementAttribute.NewOperationId()), new IncrementAttribute(Id, "n", long.MinValue, IncrementAttribute.NewOperationId()),
            new InvalidateSession(Id), new TouchSession(new SessionId(UInt128.MaxValue)),
        ];

        foreach (var command in commands)
        {
            var envelope = new ShardEnvelope(long.MinValue, A, 999, 0, command);
            var decoded = Codec.RoundTrip(envelope);

            Assert.Equal((envelope.RequestId, envelope.Origin, envelope.Shard, envelope.Epoch), (decoded.RequestId, decoded.Origin, decoded.Shard, decoded.Epoch));
            Assert.IsType(command.GetType(), decoded.Command);
            Assert.Equal(Codec.Encode(envelope), Codec.Encode(decoded));
            if (command is SetAttribute set)
            {
                Assert.Equal(set.JsonValue, ((SetAttribute)decoded.Command).JsonValue);
            }
            else
            {
                Assert.Equal(command, decoded.Command);
            }
        }
    }

    [Fact]
    public void RoundTrip_Reply_CarriesEveryReplyKind()
    {
        var snapshot = Snapshot(Id, "node-a", attributes: 3, valueBytes: 10);
        var snapshotBack = Assert.IsType<SessionSnapshot>(Codec.RoundTrip(new ShardReply(1, snapshot)).Reply);
        AssertSnapshotEqual(snapshot, snapshotBack);

        var value = Assert.IsType<AttributeValue>(Codec.RoundTrip(new ShardReply(2, new AttributeValue("n", "42"u8.ToArray()))).Reply);
        Assert.Equal("n", value.Name);
        Assert.Equal("42"u8.ToArray(), value.JsonValue);
        Assert.Equal(new AttributeValue("gone", null), Codec.RoundTrip(new ShardReply(3, new AttributeValue("gone", null))).Reply);

        object[] plain =
        [
            new SessionNotFound(Id), new SessionInvalidated(Id), new SessionRejected(SessionRejection.SessionTooLarge, "over 64 KiB"),
            new SessionRejected(SessionRejection.NotAnInteger, string.Empty), new ShardUnavailable(5, "the shard's home kept moving"),
            new ShardUnavailable(0, string.Empty, MayHaveApplied: true), new ShardUnavailable(int.MaxValue, "this node has left the cluster ☃", false),
        ];
        foreach (var reply in plain)
        {
            Codec.AssertRoundTrip(new ShardReply(-7, reply));
        }
    }

    [Fact]
    public void RoundTrip_NotHere_WithAndWithoutHome()
    {
        Codec.AssertRoundTrip(new ShardNotHere(12, 3, B, 44));
        Codec.AssertRoundTrip(new ShardNotHere(12, 3, C, 0));
        var decoded = Codec.AssertRoundTrip(new ShardNotHere(0, 0, null, 0));

        Assert.Null(decoded.Home);
    }

    [Fact]
    public void RoundTrip_RegionReport_KeepsEveryStatusInOrder()
    {
        var report = new RegionReport(
            Reign: 6,
            HostsShards: true,
            Weight: 2.75,
            Shards: [new(9, 3, HostedShardStatus.Active), new(0, 0, HostedShardStatus.HandingOff), new(4, long.MaxValue, HostedShardStatus.Receiving), new(int.MaxValue, 1, HostedShardStatus.Received)],
            MaxEpochSeen: long.MaxValue);

        AssertReportEqual(report, Codec.RoundTrip(report));
        AssertReportEqual(report with { HostsShards = false, Weight = 0, Shards = [] }, Codec.RoundTrip(report with { HostsShards = false, Weight = 0, Shards = [] }));
        AssertReportEqual(report with { Weight = double.MaxValue }, Codec.RoundTrip(report with { Weight = double.MaxValue }));
    }

    [Fact]
    public void RoundTrip_ShardHomes_KeepsOrder_AndWritesEachHostOnce()
    {
        var homes = new ShardHomes(3, [.. Enumerable.Range(0, 300).Select(shard => new ShardAllocation(shard, (shard % 3) switch { 0 => A, 1 => B, _ => C }, shard + 1L))]);
        var bytes = Codec.Encode(homes);
        var decoded = Codec.RoundTrip(homes);

        Assert.Equal(homes.Reign, decoded.Reign);
        Assert.Equal(homes.Allocations.ToArray(), decoded.Allocations.ToArray());
        Assert.All(new[] { A, B, C }, home => Assert.Equal(1, Occurrences(bytes, Encoding.UTF8.GetBytes(home.Host))));
        Assert.Same(decoded.Allocations[0].Home, decoded.Allocations[3].Home);
        Assert.Empty(Codec.RoundTrip(new ShardHomes(0, [])).Allocations);
    }

    [Fact]
    public void RoundTrip_ShardHomesWithBackups_ListsEveryNodeOnce_AndKeepsBackupOrder()
    {
        var homes = new ShardHomes(2, [new ShardAllocation(0, A, 4, [B, C]), new ShardAllocation(1, C, 5, [A]), new ShardAllocation(2, B, 6)]);
        var bytes = Codec.Encode(homes);
        var decoded = Codec.RoundTrip(homes);

        Assert.Equal(homes.Allocations.ToArray(), decoded.Allocations.ToArray());
        Assert.Equal<NodeAddress>([B, C], decoded.Allocations[0].BackupNodes);
        Assert.Empty(decoded.Allocations[2].BackupNodes);
        Assert.All(new[] { A, B, C }, node => Assert.Equal(1, Occurrences(bytes, Encoding.UTF8.GetBytes(node.Host))));
        Assert.Equal(new BackupSynced(3, 7, 11), Codec.RoundTrip(new BackupSynced(3, 7, 11)));
    }

    [Fact]
    public void RoundTrip_TransferOfManySessionsAndBigValues_KeepsEverySessionExactly()
    {
        var sessions = Enumerable.Range(0, 400)
            .Select(i => State(new SessionId(new UInt128((ulong)i, 0xabcdef)), $"node-{i % 5}:4000#{i % 3}", attributes: i % 7, valueBytes: i % 50 == 0 ? 200_000 : 100 + i))
            .ToImmutableArray();
        var transfer = new ShardTransfer(Shard: 41, Epoch: 9, Chunk: 2, ChunkCount: 3, sessions);
        var bytes = Codec.Encode(transfer);
        var decoded = Codec.RoundTrip(transfer);

        Assert.True(bytes.Length > 1_600_000, $"the slice is big: {bytes.Length} bytes");
        Assert.Equal((41, 9L, 2, 3), (decoded.Shard, decoded.Epoch, decoded.Chunk, decoded.ChunkCount));
        Assert.Equal(sessions.Length, decoded.Sessions.Length);
        for (var i = 0; i < sessions.Length; i++)
        {
            Assert.Equal(sessions[i], decoded.Sessions[i]);
            Assert.Equal(sessions[i].SizeInBytes, decoded.Sessions[i].SizeInBytes);
        }

        Assert.Equal(bytes, Codec.Encode(decoded));
        Assert.Empty(Codec.RoundTrip(new ShardTransfer(0, 1, 0, 1, [])).Sessions);
    }

    [Fact]
    public void RoundTrip_TransferOfASessionWithAnOffsetAndNoExpiry_KeepsTheInstants()
    {
        var offset = TimeSpan.FromHours(-5);
        var state = SessionCrdt.Create(Id.Value, T0.ToOffset(offset), TimeSpan.Zero).Touch(T0.AddTicks(1).ToOffset(offset)).State;
        var decoded = Assert.Single(Codec.RoundTrip(new ShardTransfer(1, 1, 0, 1, [state])).Sessions);

        Assert.Equal(state, decoded);
        Assert.Equal((T0.UtcTicks, T0.UtcTicks + 1), (decoded.Created.UtcTicks, decoded.LastAccessed.UtcTicks));
    }

    [Fact]
    public void RoundTrip_TransferOfEndedSessionsAndCountersOfSeveralReplicas_KeepsThemExactly()
    {
        var counted = SessionCrdt.Merge(
            State(Id, "node-a:1#1", attributes: 2, valueBytes: 8).Increment("n", 4, 1, new ReplicaId("node-a:1#1"), Stamp(50, "node-a:1#1")).State,
            State(Id, "node-a:1#1", attributes: 2, valueBytes: 8).Increment("n", -9, 2, new ReplicaId("node-b:1#2"), Stamp(51, "node-b:1#2")).State);
        var ended = State(new SessionId(UInt128.One), "node-c:1#3", attributes: 3, valueBytes: 5).End(SessionEndReason.Invalidated, Stamp(60, "node-c:1#3")).State;

        var decoded = Codec.RoundTrip(new ShardTransfer(2, 3, 0, 1, [counted, ended]));

        Assert.Equal([counted, ended], decoded.Sessions.ToArray());
        Assert.Equal("-5", Encoding.UTF8.GetString(decoded.Sessions[0].Get("n")!));
        Assert.True(decoded.Sessions[1].IsEnded);
    }

    /// <summary>Each case breaks one rule of a valid message's wire form; the error must name the field.</summary>
    private static readonly Dictionary<string, (int TypeId, Func<IMessage> Build, string Expected)> Malformed = new()
    {
        ["envelope: negative shard"] = (WireTypeIds.ShardEnvelope, () => Envelope(w => w.Shard = -1), "ShardEnvelope.shard is -1, below 0"),
        ["envelope: missing shard"] = (WireTypeIds.ShardEnvelope, () => Envelope(w => w.ClearShard()), "ShardEnvelope.shard is missing"),
        ["envelope: negative epoch"] = (WireTypeIds.ShardEnvelope, () => Envelope(w => w.Epoch = long.MinValue), $"ShardEnvelope.epoch is {long.MinValue}, below 0"),
        ["envelope: missing epoch"] = (WireTypeIds.ShardEnvelope, () => Envelope(w => w.ClearEpoch()), "ShardEnvelope.epoch is missing"),
        ["envelope: missing request id"] = (WireTypeIds.ShardEnvelope, () => Envelope(w => w.ClearRequestId()), "ShardEnvelope.request_id is missing"),
        ["envelope: missing origin"] = (WireTypeIds.ShardEnvelope, () => Envelope(w => w.Origin = null), "ShardEnvelope.origin is missing"),
        ["envelope: origin port 0"] = (WireTypeIds.ShardEnvelope, () => Envelope(w => w.Origin.Port = 0), "ShardEnvelope.origin.port is 0"),
        ["envelope: origin port 70000"] = (WireTypeIds.ShardEnvelope, () => Envelope(w => w.Origin.Port = 70_000), "ShardEnvelope.origin.port is 70000"),
        ["envelope: origin host empty"] = (WireTypeIds.ShardEnvelope, () => Envelope(w => w.Origin.Host = string.Empty), "ShardEnvelope.origin.host has 0 characters"),
        ["envelope: origin host 256"] = (WireTypeIds.ShardEnvelope, () => Envelope(w => w.Origin.Host = new string('h', 256)), "ShardEnvelope.origin.host has 256 characters"),
        ["envelope: missing command"] = (WireTypeIds.ShardEnvelope, () => Envelope(w => w.Command = null), "ShardEnvelope.command is missing"),
        ["envelope: empty command"] = (WireTypeIds.ShardEnvelope, () => Envelope(w => w.Command.ClearCommand()), "ShardEnvelope.command.command is missing"),
        ["envelope: bad session id"] = (WireTypeIds.ShardEnvelope, () => Envelope(w => w.Command.SessionId = ByteString.CopyFrom(new byte[3])), "ShardEnvelope.command.session_id is 3 bytes"),
        ["reply: empty oneof"] = (WireTypeIds.ShardReply, () => new Wire.ShardReply { RequestId = 1 }, "ShardReply.reply is missing"),
        ["reply: missing request id"] = (WireTypeIds.ShardReply, () => new Wire.ShardReply { Unavailable = Unavailable() }, "ShardReply.request_id is missing"),
        ["reply: empty session reply"] = (WireTypeIds.ShardReply, () => new Wire.ShardReply { RequestId = 1, Session = new() }, "ShardReply.session.reply is missing"),
        ["reply: bad snapshot"] = (WireTypeIds.ShardReply, () => Reply(w => w.Session.Snapshot.State.MaxInactiveIntervalTicks = -1), "ShardReply.session.snapshot.state.max_inactive_interval_ticks is -1"),
        ["reply: unavailable negative shard"] = (WireTypeIds.ShardReply, () => new Wire.ShardReply { RequestId = 1, Unavailable = Unavailable(u => u.Shard = -3) }, "ShardReply.unavailable.shard is -3, below 0"),
        ["reply: unavailable without flag"] = (WireTypeIds.ShardReply, () => new Wire.ShardReply { RequestId = 1, Unavailable = Unavailable(u => u.ClearMayHaveApplied()) }, "ShardReply.unavailable.may_have_applied is missing"),
        ["not here: negative epoch"] = (WireTypeIds.ShardNotHere, () => NotHere(w => w.Epoch = -1), "ShardNotHere.epoch is -1, below 0"),
        ["not here: negative shard"] = (WireTypeIds.ShardNotHere, () => NotHere(w => w.Shard = -1), "ShardNotHere.shard is -1, below 0"),
        ["not here: home without port"] = (WireTypeIds.ShardNotHere, () => NotHere(w => w.Home.Port = 0), "ShardNotHere.home.port is 0"),
        ["transfer: zero chunks"] = (WireTypeIds.ShardTransfer, () => Transfer(w => w.ChunkCount = 0), "ShardTransfer.chunk_count is 0; a transfer has at least 1 chunk"),
        ["transfer: chunk past count"] = (WireTypeIds.ShardTransfer, () => Transfer(w => w.Chunk = 3), "ShardTransfer.chunk is 3, outside 0 to 2"),
        ["transfer: negative chunk"] = (WireTypeIds.ShardTransfer, () => Transfer(w => w.Chunk = -1), "ShardTransfer.chunk is -1, outside 0 to 2"),
        ["transfer: missing chunk"] = (WireTypeIds.ShardTransfer, () => Transfer(w => w.ClearChunk()), "ShardTransfer.chunk is missing"),
        ["transfer: negative shard"] = (WireTypeIds.ShardTransfer, () => Transfer(w => w.Shard = -1), "ShardTransfer.shard is -1, below 0"),
        ["transfer: session without id"] = (WireTypeIds.ShardTransfer, () => Transfer(w => w.Sessions[1].SessionId = ByteString.Empty), "ShardTransfer.sessions[1].session_id is missing"),
        ["transfer: session without creation"] = (WireTypeIds.ShardTransfer, () => Transfer(w => w.Sessions[0].ClearCreatedUtcTicks()), "ShardTransfer.sessions[0].created_utc_ticks is missing"),
        ["transfer: bad attribute"] = (WireTypeIds.ShardTransfer, () => Transfer(w => w.Sessions[1].Attributes[0].JsonValue = ByteString.Empty), "ShardTransfer.sessions[1].attributes[0].json_value is empty"),
        ["transfer: bad stamp"] = (WireTypeIds.ShardTransfer, () => Transfer(w => w.Sessions[0].Attributes[0].BaseTimestamp.Replica = 7), "ShardTransfer.sessions[0].attributes[0].base_timestamp.replica is 7, outside the 1 replicas listed"),
        ["transfer: session twice"] = (WireTypeIds.ShardTransfer, () => Transfer(w => w.Sessions.Add(w.Sessions[0].Clone())), "ShardTransfer.sessions[2].session_id repeats the session"),
        ["offer: chunk past count"] = (WireTypeIds.ShardTransferOffer, () => Offer(w => w.Chunk = 3), "ShardTransferOffer.chunk is 3, outside 0 to 2"),
        ["offer: missing hash"] = (WireTypeIds.ShardTransferOffer, () => Offer(w => w.Sessions[1].ClearHash()), "ShardTransferOffer.sessions[1].hash is missing"),
        ["offer: missing access"] = (WireTypeIds.ShardTransferOffer, () => Offer(w => w.Sessions[0].ClearLastAccessedUtcTicks()), "ShardTransferOffer.sessions[0].last_accessed_utc_ticks is missing"),
        ["offer: access out of range"] = (WireTypeIds.ShardTransferOffer, () => Offer(w => w.Sessions[0].LastAccessedUtcTicks = -1), "ShardTransferOffer.sessions[0].last_accessed_utc_ticks is -1, outside 0 to"),
        ["offer: short id"] = (WireTypeIds.ShardTransferOffer, () => Offer(w => w.Sessions[0].SessionId = ByteString.CopyFrom(1, 2)), "ShardTransferOffer.sessions[0].session_id"),
        ["offer: session twice"] = (WireTypeIds.ShardTransferOffer, () => Offer(w => w.Sessions.Add(w.Sessions[0].Clone())), "ShardTransferOffer.sessions[2].session_id repeats the session"),
        ["declined: negative chunk"] = (WireTypeIds.ShardTransferDeclined, () => new Wire.ShardTransferDeclined { Shard = 1, Epoch = 1, Chunk = -1 }, "ShardTransferDeclined.chunk is -1, below 0"),
        ["ack: negative chunk"] = (WireTypeIds.ShardTransferAck, () => new Wire.ShardTransferAck { Shard = 1, Epoch = 1, Chunk = -1 }, "ShardTransferAck.chunk is -1, below 0"),
        ["ack: missing epoch"] = (WireTypeIds.ShardTransferAck, () => new Wire.ShardTransferAck { Shard = 1, Chunk = 0 }, "ShardTransferAck.epoch is missing"),
        ["register: missing flag"] = (WireTypeIds.RegisterRegion, () => new Wire.RegisterRegion(), "RegisterRegion.hosts_shards is missing"),
        ["query: negative reign"] = (WireTypeIds.QueryRegion, () => new Wire.QueryRegion { Reign = -1 }, "QueryRegion.reign is -1, below 0"),
        ["query: missing reign"] = (WireTypeIds.QueryRegion, () => new Wire.QueryRegion(), "QueryRegion.reign is missing"),
        ["report: NaN weight"] = (WireTypeIds.RegionReport, () => Report(w => w.Weight = double.NaN), "RegionReport.weight is NaN; a weight is finite and at least 0"),
        ["report: infinite weight"] = (WireTypeIds.RegionReport, () => Report(w => w.Weight = double.PositiveInfinity), "RegionReport.weight is Infinity"),
        ["report: negative weight"] = (WireTypeIds.RegionReport, () => Report(w => w.Weight = -0.5), "RegionReport.weight is -0.5"),
        ["report: missing weight"] = (WireTypeIds.RegionReport, () => Report(w => w.ClearWeight()), "RegionReport.weight is missing"),
        ["report: missing hosts flag"] = (WireTypeIds.RegionReport, () => Report(w => w.ClearHostsShards()), "RegionReport.hosts_shards is missing"),
        ["report: negative max epoch"] = (WireTypeIds.RegionReport, () => Report(w => w.MaxEpochSeen = -2), "RegionReport.max_epoch_seen is -2, below 0"),
        ["report: unknown status"] = (WireTypeIds.RegionReport, () => Report(w => w.Shards[1].Status = (Wire.HostedShardStatus)9), "RegionReport.shards[1].status is 9, not a known hosted shard status"),
        ["report: missing status"] = (WireTypeIds.RegionReport, () => Report(w => w.Shards[0].Status = Wire.HostedShardStatus.Unspecified), "RegionReport.shards[0].status is missing"),
        ["report: negative shard"] = (WireTypeIds.RegionReport, () => Report(w => w.Shards[1].Shard = -1), "RegionReport.shards[1].shard is -1, below 0"),
        ["report: negative shard epoch"] = (WireTypeIds.RegionReport, () => Report(w => w.Shards[0].Epoch = -1), "RegionReport.shards[0].epoch is -1, below 0"),
        ["report: shard twice"] = (WireTypeIds.RegionReport, () => Report(w => w.Shards.Add(w.Shards[0].Clone())), "RegionReport.shards[2].shard repeats the shard 9"),
        ["get home: negative shard"] = (WireTypeIds.GetShardHome, () => new Wire.GetShardHome { Shard = int.MinValue }, $"GetShardHome.shard is {int.MinValue}, below 0"),
        ["homes: index past table"] = (WireTypeIds.ShardHomes, () => Homes(w => w.Allocations[1].HomeIndex = 2), "ShardHomes.allocations[1].home_index is 2, outside the home table of 2 entries"),
        ["homes: missing index"] = (WireTypeIds.ShardHomes, () => Homes(w => w.Allocations[0].ClearHomeIndex()), "ShardHomes.allocations[0].home_index is missing"),
        ["homes: shard twice"] = (WireTypeIds.ShardHomes, () => Homes(w => w.Allocations.Add(w.Allocations[2].Clone())), "ShardHomes.allocations[3].shard repeats the shard 2"),
        ["homes: negative epoch"] = (WireTypeIds.ShardHomes, () => Homes(w => w.Allocations[2].Epoch = -1), "ShardHomes.allocations[2].epoch is -1, below 0"),
        ["homes: home twice"] = (WireTypeIds.ShardHomes, () => Homes(w => w.Homes.Add(w.Homes[0].Clone())), "ShardHomes.homes[2] repeats 10.0.0.1:4000"),
        ["homes: backup past table"] = (WireTypeIds.ShardHomes, () => Homes(w => w.Allocations[0].BackupIndexes.Add(5)), "ShardHomes.allocations[0].backup_indexes[0] is 5, outside the home table of 2 entries"),
        ["homes: backup is home"] = (WireTypeIds.ShardHomes, () => Homes(w => w.Allocations[0].BackupIndexes.Add(0)), "ShardHomes.allocations[0].backup_indexes[0] names 10.0.0.1:4000 twice among the shard's home and backups"),
        ["homes: backup twice"] = (WireTypeIds.ShardHomes, () => Homes(w => w.Allocations[0].BackupIndexes.Add([1, 1])), "ShardHomes.allocations[0].backup_indexes[1] names node-b.cluster.local:65535 twice among the shard's home and backups"),
        ["synced: negative epoch"] = (WireTypeIds.BackupSynced, () => new Wire.BackupSynced { Reign = 1, Shard = 2, Epoch = -3 }, "BackupSynced.epoch is -3, below 0"),
        ["homes: bad home"] = (WireTypeIds.ShardHomes, () => Homes(w => w.Homes[1].Host = string.Empty), "ShardHomes.homes[1].host has 0 characters"),
        ["hand-off: missing to"] = (WireTypeIds.HandOffShard, () => new Wire.HandOffShard { Reign = 1, Shard = 1, Epoch = 1 }, "HandOffShard.to is missing"),
        ["hand-off: negative reign"] = (WireTypeIds.HandOffShard, () => new Wire.HandOffShard { Reign = -1, Shard = 1, Epoch = 1 }, "HandOffShard.reign is -1, below 0"),
        ["received: negative epoch"] = (WireTypeIds.ShardReceived, () => new Wire.ShardReceived { Reign = 1, Shard = 1, Epoch = -1 }, "ShardReceived.epoch is -1, below 0"),
        ["drain: missing flag"] = (WireTypeIds.DrainRegion, () => new Wire.DrainRegion(), "DrainRegion.draining is missing"),
    };

    public static TheoryData<string> MalformedCases() => [.. Malformed.Keys];

    [Theory]
    [MemberData(nameof(MalformedCases))]
    public void Decode_Malformed_ThrowsNamingTheField(string name)
    {
        var (typeId, build, expected) = Malformed[name];
        var bytes = build().ToByteArray();

        var error = Assert.Throws<InvalidDataException>(() => Codec.Decode(typeId, bytes));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Decode_TruncatedTransfer_Throws()
    {
        var bytes = Codec.Encode(new ShardTransfer(1, 1, 0, 1, [State(Id, "n:1#1", attributes: 2, valueBytes: 100)]));

        Assert.IsType<InvalidProtocolBufferException>(Assert.Throws<InvalidDataException>(() => Codec.Decode(WireTypeIds.ShardTransfer, bytes[..^3])).InnerException);
    }

    [Fact]
    public void RoundTrip_ShardTransferOffer_KeepsEveryFingerprintAndAccessTime()
    {
        ShardTransferOffer[] offers =
        [
            new(7, 4, 0, 1, []),
            new(int.MaxValue, long.MaxValue, 2, 3, [new(UInt128.MaxValue, ulong.MaxValue, DateTimeOffset.MaxValue), new(UInt128.Zero, 0, DateTimeOffset.MinValue), new(Id.Value, 42, T0)]),
        ];

        foreach (var offer in offers)
        {
            var decoded = Codec.RoundTrip(offer);
            Assert.Equal((offer.Shard, offer.Epoch, offer.Chunk, offer.ChunkCount), (decoded.Shard, decoded.Epoch, decoded.Chunk, decoded.ChunkCount));
            Assert.Equal(offer.Sessions.ToArray(), decoded.Sessions.ToArray());
            Assert.Equal(Codec.Encode(offer), Codec.Encode(decoded));
        }
    }

    [Fact]
    public void Encode_ValuesTheWireCannotCarry_Throw()
    {
        var state = State(Id, "n:1#1", attributes: 1, valueBytes: 1);
        var unwritable = SessionCrdt.Create(Id.Value, T0, TimeSpan.Zero).Set("a" + '\ud800', "1"u8.ToArray(), Stamp(1, "n:1#1")).State;
        HostedShard active = new(1, 1, HostedShardStatus.Active);
        object[] refused =
        [
            new ShardEnvelope(1, A, -1, 0, new GetSession(Id)),
            new ShardEnvelope(1, A, 0, -1, new GetSession(Id)),
            new ShardEnvelope(1, new NodeAddress("h", 0), 0, 0, new GetSession(Id)),
            new ShardEnvelope(1, new NodeAddress(string.Empty, 1), 0, 0, new GetSession(Id)),
            new ShardEnvelope(1, new NodeAddress(new string('h', 256), 1), 0, 0, new GetSession(Id)),
            new ShardEnvelope(1, A, 0, 0, new GetAttribute(Id, string.Empty)),
            new ShardReply(1, "not a reply"),
            new ShardReply(1, new GetSession(Id)),
            new ShardReply(1, new ShardUnavailable(-1, "x")),
            new ShardNotHere(1, 0, new NodeAddress("h", 70_000), 0),
            new ShardNotHere(1, 0, null, -1),
            new ShardTransfer(1, 1, 1, 1, [state]),
            new ShardTransfer(1, 1, -1, 1, [state]),
            new ShardTransfer(1, 1, 0, 0, []),
            new ShardTransfer(1, 1, 0, 1, default),
            new ShardTransfer(1, 1, 0, 1, [state, state.Touch(T0.AddDays(1)).State]),
            new ShardTransfer(1, 1, 0, 1, [unwritable]),
            new ShardTransferAck(1, 1, -1),
            new ShardTransferOffer(1, 1, 1, 1, []),
            new ShardTransferOffer(1, 1, 0, 1, [new(Id.Value, 1, T0), new(Id.Value, 2, T0)]),
            new ShardTransferDeclined(1, 1, -1),
            new QueryRegion(-1),
            new RegionReport(1, true, double.NaN, [], 0),
            new RegionReport(1, true, double.PositiveInfinity, [], 0),
            new RegionReport(1, true, -1, [], 0),
            new RegionReport(1, true, 1, [active, active with { Epoch = 2 }], 0),
            new RegionReport(1, true, 1, [active with { Status = (HostedShardStatus)0 }], 0),
            new RegionReport(1, true, 1, [active with { Shard = -1 }], 0),
            new RegionReport(1, true, 1, default, 0),
            new RegionReport(1, true, 1, [], -1),
            new GetShardHome(-1),
            new ShardHomes(1, [new(1, A, 1), new(1, B, 2)]),
            new ShardHomes(1, [new(1, null!, 1)]),
            new ShardHomes(1, [new(1, A, -1)]),
            new ShardHomes(1, [new(1, A, 1, [A])]),
            new ShardHomes(1, [new(1, A, 1, [B, B])]),
            new ShardHomes(1, default),
            new ShardHomes(-1, []),
            new HandOffShard(1, 1, new NodeAddress("h", 0), 1),
            new ShardReceived(-1, 1, 1),
        ];

        foreach (var message in refused)
        {
            var error = Record.Exception(() => Codec.Encode(message));
            Assert.True(error is ArgumentException, $"{message} is refused with an ArgumentException, got {error?.GetType().Name ?? "nothing"}");
        }
    }

    [Fact]
    public async Task Tcp_EveryShardingMessage_ArrivesEqualAndInOrder()
    {
        var (a, _) = await StartTcp(uid: 911);
        var (b, inboxB) = await StartTcp(uid: 912);
        // About 200 KB: the largest slice that fits the tests' 256 KiB frames, like a real hand-off chunk.
        var bigSlice = Enumerable.Range(0, 40).Select(i => State(new SessionId((UInt128)i + 1), "node-a:4000#1", attributes: 5, valueBytes: 1000)).ToImmutableArray();
        object[] messages =
        [
            new ShardEnvelope(1, a.Self.Address, 7, 3, new SetAttribute(Id, "n", "1"u8.ToArray())),
            new ShardReply(1, new SessionNotFound(Id)),
            new ShardReply(2, new ShardUnavailable(7, "buffer full")),
            new ShardNotHere(3, 7, null, 0),
            new ShardTransfer(7, 4, 0, 2, bigSlice),
            new ShardTransferAck(7, 4, 0),
            new ShardTransferOffer(7, 4, 1, 2, [new(Id.Value, 99, T0)]),
            new ShardTransferDeclined(7, 4, 1),
            new RegisterRegion(true),
            new QueryRegion(2),
            new RegionReport(2, true, 1.5, [new(7, 3, HostedShardStatus.HandingOff)], 4),
            new GetShardHome(7),
            new ShardHomes(2, [new(7, b.Self.Address, 4), new(8, a.Self.Address, 5)]),
            new HandOffShard(2, 7, b.Self.Address, 4),
            new ShardReceived(2, 7, 4),
            new DrainRegion(true),
        ];

        foreach (var message in messages)
        {
            Assert.True(a.Send(b.Self.Address, message));
        }

        var received = await inboxB.WaitFor(messages.Length, "B receives every sharding message");

        Assert.Equal(messages.Length, received.Count);
        Assert.All(received, r => Assert.Equal(a.Self, r.From));
        Assert.Equal(messages.Select(m => m.GetType()), received.Select(r => r.Message.GetType()));
        Assert.Equal(messages.Select(m => Convert.ToHexString(Codec.Encode(m))), received.Select(r => Convert.ToHexString(Codec.Encode(r.Message))));
        Assert.Equal(0, a.ConnectionsClosedOnBadInput + b.ConnectionsClosedOnBadInput);
    }

    private static SessionSnapshot Snapshot(SessionId id, string owner, int attributes, int valueBytes)
    {
        // Values are JSON strings of the asked size, with non-ASCII in them so any re-encoding would show.
        KeyValuePair<string, byte[]>[] values =
        [
            .. Enumerable.Range(0, attributes).Select(i =>
                new KeyValuePair<string, byte[]>(i == 0 ? "ünïcødé ☃" : $"attr-{i}", Encoding.UTF8.GetBytes("\"é" + new string((char)('a' + i), Math.Max(0, valueBytes - 4)) + "\""))),
        ];
        var created = T0.AddTicks((long)(id.Value % 1_000_003));
        return new SessionSnapshot(id, owner, created, created.AddMilliseconds(1234.5678), TimeSpan.FromTicks(18_000_000_001), values);
    }

    /// <summary>A replicated session with <paramref name="attributes"/> values of the asked size written by <paramref name="writer"/>.</summary>
    private static SessionCrdt State(SessionId id, string writer, int attributes, int valueBytes)
    {
        var snapshot = Snapshot(id, "owner", attributes, valueBytes);
        var state = SessionCrdt.Create(id.Value, snapshot.Created, snapshot.MaxInactiveInterval);
        for (var i = 0; i < attributes; i++)
        {
            state = state.Set(snapshot.Attributes[i].Key, snapshot.Attributes[i].Value, Stamp(i + 1, writer)).State;
        }

        return state.Touch(snapshot.LastAccessed).State;
    }

    private static HlcTimestamp Stamp(long ticks, string writer) => new(T0.UtcTicks + ticks, 0, new ReplicaId(writer));

    private static Wire.ShardEnvelope Envelope(Action<Wire.ShardEnvelope> mutate) =>
        Mutated(ShardingWireFormat.ToWire(new ShardEnvelope(5, A, 3, 2, new GetAttribute(Id, "a"))), mutate);

    private static Wire.ShardReply Reply(Action<Wire.ShardReply> mutate) =>
        Mutated(ShardingWireFormat.ToWire(new ShardReply(5, Snapshot(Id, "n", attributes: 2, valueBytes: 3))), mutate);

    private static Wire.ShardUnavailable Unavailable(Action<Wire.ShardUnavailable>? mutate = null) =>
        Mutated(ShardingWireFormat.ToWire(new ShardUnavailable(3, "r", true)), mutate ?? (_ => { }));

    private static Wire.ShardNotHere NotHere(Action<Wire.ShardNotHere> mutate) => Mutated(ShardingWireFormat.ToWire(new ShardNotHere(5, 3, B, 2)), mutate);

    private static Wire.ShardTransfer Transfer(Action<Wire.ShardTransfer> mutate) => Mutated(
        ShardingWireFormat.ToWire(new ShardTransfer(3, 2, 1, 3, [State(Id, "n:1#1", attributes: 1, valueBytes: 5), State(new SessionId(UInt128.One), "m:1#2", attributes: 2, valueBytes: 5)])),
        mutate);

    private static Wire.ShardTransferOffer Offer(Action<Wire.ShardTransferOffer> mutate) => Mutated(
        ShardingWireFormat.ToWire(new ShardTransferOffer(3, 2, 1, 3, [new(Id.Value, 11, T0), new(UInt128.One, 12, T0.AddMinutes(1))])),
        mutate);

    private static Wire.RegionReport Report(Action<Wire.RegionReport> mutate) => Mutated(
        ShardingWireFormat.ToWire(new RegionReport(4, true, 1, [new(9, 2, HostedShardStatus.Active), new(10, 3, HostedShardStatus.Receiving)], 3)), mutate);

    private static Wire.ShardHomes Homes(Action<Wire.ShardHomes> mutate) =>
        Mutated(ShardingWireFormat.ToWire(new ShardHomes(4, [new(0, A, 1), new(1, B, 2), new(2, A, 3)])), mutate);

    private static T Mutated<T>(T wire, Action<T> mutate)
    {
        mutate(wire);
        return wire;
    }

    private static void AssertReportEqual(RegionReport expected, RegionReport actual)
    {
        Assert.Equal((expected.Reign, expected.HostsShards, expected.Weight, expected.MaxEpochSeen), (actual.Reign, actual.HostsShards, actual.Weight, actual.MaxEpochSeen));
        Assert.Equal(expected.Shards.ToArray(), actual.Shards.ToArray());
    }

    private static void AssertSnapshotEqual(SessionSnapshot expected, SessionSnapshot actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Owner, actual.Owner);
        Assert.Equal(expected.Created.UtcTicks, actual.Created.UtcTicks);
        Assert.Equal(expected.LastAccessed.UtcTicks, actual.LastAccessed.UtcTicks);
        Assert.Equal(expected.MaxInactiveInterval, actual.MaxInactiveInterval);
        Assert.Equal(expected.Attributes.Select(a => a.Key), actual.Attributes.Select(a => a.Key));
        Assert.Equal(expected.Attributes.Select(a => Convert.ToHexString(a.Value)), actual.Attributes.Select(a => Convert.ToHexString(a.Value)));
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
        ShardingWireFormat.Register(serializer);
        var node = new TcpTransport(TcpTestSettings.Loopback(), serializer, uid);
        _disposables.Add(node);
        var inbox = new RecordingHandler { Transport = node };
        await node.StartAsync(inbox, CancellationToken.None);
        return (node, inbox);
    }
}
