using Google.Protobuf;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;
using Wire = SessionCluster.Actors.Sharding.Wire;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>The replication messages on the wire: exact round trips, their own type ids, malformed input named; and
/// the anti-entropy fingerprint.</summary>
public sealed class ReplicaWireFormatTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ReplicaId Writer = new("10.0.0.1:4000#7");
    private static readonly WireSerializer Frozen = FrozenSerializer();
    private static readonly SessionCrdt Session = SessionCrdt.Create(0xabcdef, T0, TimeSpan.FromMinutes(30))
        .Set("cart", "[1,2]"u8.ToArray(), new HlcTimestamp(T0.UtcTicks, 1, Writer)).State
        .Increment("n", 3, 1, Writer, new HlcTimestamp(T0.UtcTicks, 2, Writer)).State;

    [Fact]
    public void Every_replica_message_round_trips_exactly_under_its_own_type_id()
    {
        object[] messages =
        [
            new ReplicaDelta(3, 9, 10, 12, Session),
            new ReplicaDeltaAck(3, 9, 0xabcdef, 10, 12),
            new ReplicaCopy(3, 9, 1, 2, [Session]),
            new ReplicaCopyAck(3, 9, 1),
            new ReplicaDigest(3, 9, [new SessionFingerprint(0xabcdef, 42), new SessionFingerprint(1, ulong.MaxValue)]),
            new BackupRead(7, new NodeAddress("10.0.0.9", 4000), 3, 9, new GetAttribute(new SessionId(0xabcdef), "n")),
            new ReplicaPull(3, 9, [0xabcdef, 1]),
            new ReplicaPush(3, 9, Session),
        ];
        int[] ids =
        [
            WireTypeIds.ReplicaDelta, WireTypeIds.ReplicaDeltaAck, WireTypeIds.ReplicaCopy, WireTypeIds.ReplicaCopyAck, WireTypeIds.ReplicaDigest,
            WireTypeIds.BackupRead, WireTypeIds.ReplicaPull, WireTypeIds.ReplicaPush,
        ];

        for (var i = 0; i < messages.Length; i++)
        {
            Assert.True(Frozen.TryGetByType(messages[i].GetType(), out var binding));
            Assert.Equal(ids[i], binding.TypeId);
            var bytes = binding.ToWire(messages[i]).ToByteArray();
            var decoded = binding.FromWire(bytes);
            Assert.Equal(messages[i].GetType(), decoded.GetType());
            Assert.Equal(bytes, binding.ToWire(decoded).ToByteArray());
        }

        var delta = (ReplicaDelta)Decode(new ReplicaDelta(3, 9, 10, 12, Session));
        Assert.Equal(Session, delta.Delta);
        Assert.Equal(Session, ((ReplicaPush)Decode(messages[7])).State);
        Assert.Equal<UInt128>([0xabcdef, 1], ((ReplicaPull)Decode(messages[6])).SessionIds);
        var digest = (ReplicaDigest)Decode(messages[4]);
        Assert.Equal<SessionFingerprint>([new SessionFingerprint(0xabcdef, 42), new SessionFingerprint(1, ulong.MaxValue)], digest.Sessions);
    }

    [Fact]
    public void Malformed_replica_messages_are_refused_naming_the_field()
    {
        var backwards = new Wire.ReplicaDelta { Shard = 1, Epoch = 1, FromSeq = 5, ToSeq = 4 };
        Assert.Contains("ReplicaDelta.to_seq is 4, before from_seq 5", Assert.Throws<InvalidDataException>(() => ReplicaWireFormat.FromWire(backwards)).Message);

        var noDelta = new Wire.ReplicaDelta { Shard = 1, Epoch = 1, FromSeq = 1, ToSeq = 1 };
        Assert.Contains("ReplicaDelta.delta is missing", Assert.Throws<InvalidDataException>(() => ReplicaWireFormat.FromWire(noDelta)).Message);

        var pulledTwice = ReplicaWireFormat.ToWire(new ReplicaPull(1, 1, [5]));
        pulledTwice.SessionIds.Add(pulledTwice.SessionIds[0]);
        Assert.Contains("ReplicaPull.session_ids[1] repeats the session", Assert.Throws<InvalidDataException>(() => ReplicaWireFormat.FromWire(pulledTwice)).Message);

        var twice = ReplicaWireFormat.ToWire(new ReplicaDigest(1, 1, [new SessionFingerprint(5, 1)]));
        twice.Sessions.Add(twice.Sessions[0].Clone());
        Assert.Contains("ReplicaDigest.sessions[1].session_id repeats", Assert.Throws<InvalidDataException>(() => ReplicaWireFormat.FromWire(twice)).Message);

        Assert.Throws<ArgumentException>(() => ReplicaWireFormat.ToWire(new ReplicaDeltaAck(1, 1, 5, 3, 2)));
    }

    [Fact]
    public void The_fingerprint_ignores_the_last_access_and_changes_with_any_replicated_data()
    {
        var read = Session.Touch(T0.AddMinutes(5)).State;
        var written = Session.Set("cart", "[1]"u8.ToArray(), new HlcTimestamp(T0.UtcTicks, 3, Writer)).State;
        var counted = Session.Increment("n", 1, 2, new ReplicaId("10.0.0.2:4000#1"), new HlcTimestamp(T0.UtcTicks, 3, Writer)).State;

        Assert.Equal(SessionDigest.Of(Session), SessionDigest.Of(read));
        Assert.NotEqual(SessionDigest.Of(Session), SessionDigest.Of(written));
        Assert.NotEqual(SessionDigest.Of(Session), SessionDigest.Of(counted));
        Assert.Equal(SessionDigest.Of(written), SessionDigest.Of(SessionCrdt.Merge(Session, written)));
    }

    private static object Decode(object message)
    {
        Assert.True(Frozen.TryGetByType(message.GetType(), out var binding));
        return binding.FromWire(binding.ToWire(message).ToByteArray());
    }

    internal static WireSerializer FrozenSerializer()
    {
        var serializer = new WireSerializer();
        ShardingWireFormat.Register(serializer);
        ReplicaWireFormat.Register(serializer);
        serializer.Freeze();
        return serializer;
    }
}
