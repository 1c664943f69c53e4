using Google.Protobuf.WellKnownTypes;
using SessionCluster.Actors.Remoting;

namespace RemotePingPong;

/// <summary>A numbered one-way message or request; on the wire an Int64Value (2–10 bytes).</summary>
public sealed record Ping(long Sequence);

/// <summary>The answer to a <see cref="Ping"/>.</summary>
public sealed record Pong(long Sequence);

/// <summary>The benchmark's wire registrations, in the test and benchmark id range.</summary>
public static class BenchMessages
{
    public static WireSerializer Serializer() => new WireSerializer()
        .Register<Ping, Int64Value>(WireTypeIds.TestRangeStart + 101, Int64Value.Parser, m => new Int64Value { Value = m.Sequence }, w => new Ping(w.Value))
        .Register<Pong, Int64Value>(WireTypeIds.TestRangeStart + 102, Int64Value.Parser, m => new Int64Value { Value = m.Sequence }, w => new Pong(w.Value));
}
