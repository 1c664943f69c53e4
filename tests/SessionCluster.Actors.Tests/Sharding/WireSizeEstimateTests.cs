using Google.Protobuf;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>The estimates an outbound queue counts against its byte bound: for every message that carries values or
/// lists, within a factor of two of what it really takes on the wire, so that a queue of large values is bounded by
/// about the bytes it says.</summary>
public sealed class WireSizeEstimateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ReplicaId Writer = new("10.0.0.1:4000#7");
    private static readonly NodeAddress Origin = new("10.0.0.9", 4000);
    private static readonly SessionId Id = new(0xabcdef);
    private static readonly WireSerializer Frozen = ReplicaWireFormatTests.FrozenSerializer();

    public static TheoryData<string, object> Messages()
    {
        var value = Json(20_000);
        var small = Json(300);
        var session = Session(0xabcdef, value, small);
        SessionCrdt[] slice = [.. Enumerable.Range(1, 20).Select(i => Session((ulong)i, value, small))];
        var attributes = new KeyValuePair<string, byte[]>[] { new("cart", value), new("user", small) };
        var snapshot = new SessionSnapshot(Id, "127.0.0.1:4001", T0, T0, TimeSpan.FromMinutes(30), attributes);
        return new TheoryData<string, object>
        {
            { "set", new ShardEnvelope(-1, Origin, 3, 9, new SetAttribute(Id, "cart", value)) },
            { "commit", new ShardEnvelope(-1, Origin, 3, 9, new ApplyAttributeChanges(Id, [new AttributeChange("cart", value), new AttributeChange("gone", null)])) },
            { "rotate", new ShardEnvelope(-1, Origin, 3, 9, new CreateSessionFrom(Id, attributes)) },
            { "snapshot", new ShardReply(-1, snapshot) },
            { "attribute", new ShardReply(-1, new AttributeValue("cart", value)) },
            { "transfer", new ShardTransfer(3, 9, 0, 1, [.. slice]) },
            { "delta", new ReplicaDelta(3, 9, 1, 1, session) },
            { "push", new ReplicaPush(3, 9, session) },
            { "copy", new ReplicaCopy(3, 9, 0, 1, [.. slice]) },
            { "backup read", new BackupRead(7, Origin, 3, 9, new GetSession(Id)) },
            { "digest", new ReplicaDigest(3, 9, [.. Enumerable.Range(1, 2_000).Select(i => new SessionFingerprint((UInt128)i << 64 | (UInt128)i, (ulong)i * 0x9E3779B97F4A7C15))]) },
            { "pull", new ReplicaPull(3, 9, [.. Enumerable.Range(1, 2_000).Select(i => (UInt128)i << 64 | (UInt128)i)]) },
            { "homes", new ShardHomes(3, [.. Enumerable.Range(0, 1_000).Select(shard => new ShardAllocation(shard, Origin, shard + 1L))]) },
        };
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Estimate_IsWithinAFactorOfTwoOfTheWireSize(string name, object message)
    {
        Assert.True(Frozen.TryGetByType(message.GetType(), out var binding));
        var actual = binding.ToWire(message).CalculateSize();

        var estimate = binding.EstimatedSize(message);

        Assert.True(estimate >= actual / 2 && estimate <= actual * 2 + WireBinding.SmallMessageBytes,
            $"{name}: estimated {estimate} bytes, takes {actual}");
    }

    [Fact]
    public void MessagesTheirEstimateCannotRead_CountAsSmall_WithoutThrowingInTheSendersThread()
    {
        object[] malformed =
        [
            new ShardHomes(1, default),
            new ShardReply(-1, new SessionSnapshot(Id, "127.0.0.1:4001", T0, T0, TimeSpan.FromMinutes(30), null!)),
            new ShardTransfer(3, 9, 0, 1, default),
        ];

        foreach (var message in malformed)
        {
            Assert.True(Frozen.TryGetByType(message.GetType(), out var binding));
            Assert.Equal(WireBinding.SmallMessageBytes, binding.EstimatedSize(message));
        }
    }

    [Fact]
    public void MessagesWithoutValues_CountAsSmall()
    {
        Assert.True(Frozen.TryGetByType(typeof(ShardTransferAck), out var binding));

        Assert.Equal(WireBinding.SmallMessageBytes, binding.EstimatedSize(new ShardTransferAck(3, 9, 0)));
    }

    private static byte[] Json(int length) => [(byte)'"', .. Enumerable.Repeat((byte)'x', length - 2), (byte)'"'];

    private static SessionCrdt Session(ulong id, byte[] value, byte[] small) => SessionCrdt.Create(id, T0, TimeSpan.FromMinutes(30))
        .Set("cart", value, new HlcTimestamp(T0.UtcTicks, 1, Writer)).State
        .Set("user", small, new HlcTimestamp(T0.UtcTicks, 2, Writer)).State
        .Increment("n", 3, 1, Writer, new HlcTimestamp(T0.UtcTicks, 3, Writer)).State;
}
