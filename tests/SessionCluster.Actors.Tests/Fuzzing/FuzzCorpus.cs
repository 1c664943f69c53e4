using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Tests.Membership;

namespace SessionCluster.Actors.Tests.Fuzzing;

/// <summary>Valid payloads of the message types whose rules random field values almost never satisfy (a gossip's
/// address table and member indexes, a session's ordered attributes and writer table): real domain messages encoded,
/// for the fuzzers to mutate, so that mutations start past the validation and probe what lies behind it.</summary>
internal static class FuzzCorpus
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Encoded payloads by type id.</summary>
    public static IReadOnlyDictionary<int, List<byte[]>> Build(WireSerializer serializer, Random random, int perType = 12)
    {
        var corpus = new Dictionary<int, List<byte[]>>();
        for (var i = 0; i < perType; i++)
        {
            var gossip = MembershipWireFormatTests.RandomGossip(random);
            var to = MembershipWireFormatTests.RandomAddress(random);
            var sessions = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => RandomSession(random)).ToArray();
            object[] messages =
            [
                new GossipEnvelope(to, gossip),
                new Welcome(to, gossip),
                new ReplicaDelta(random.Next(100), random.Next(1, 50), 1, 1 + random.Next(5), sessions[0]),
                new ReplicaCopy(random.Next(100), random.Next(1, 50), 0, 1, [.. sessions]),
                new SessionCluster.Actors.Sharding.ShardTransfer(random.Next(100), random.Next(1, 50), 0, 1, [.. sessions]),
            ];
            foreach (var message in messages)
            {
                Assert.True(serializer.TryGetByType(message.GetType(), out var binding), message.GetType().Name);
                if (!corpus.TryGetValue(binding.TypeId, out var list))
                {
                    corpus[binding.TypeId] = list = [];
                }

                list.Add(Google.Protobuf.MessageExtensions.ToByteArray(binding.ToWire(message)));
            }
        }

        return corpus;
    }

    /// <summary>A session that went through random sets, removals, increments and maybe its end, by one or two writers.</summary>
    public static SessionCrdt RandomSession(Random random)
    {
        ReplicaId[] writers = [new("127.0.0.1:4001#1"), new("127.0.0.1:4002#2")];
        var state = SessionCrdt.Create(new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64(1, long.MaxValue)), T0, TimeSpan.FromMinutes(30));
        var clock = 0;
        string[] names = ["a", "b", "cart", "n", "é"];
        for (var op = random.Next(8); op > 0; op--)
        {
            var writer = writers[random.Next(writers.Length)];
            var stamp = new HlcTimestamp(T0.UtcTicks + ++clock, 0, writer);
            var name = names[random.Next(names.Length)];
            state = random.Next(4) switch
            {
                0 => state.Set(name, "\"v\""u8.ToArray(), stamp).State,
                1 => state.Remove(name, stamp).State,
                2 => state.Get(name) is null or [(byte)'-' or (>= (byte)'0' and <= (byte)'9'), ..]
                    ? state.Increment(name, random.Next(-5, 6), (ulong)random.NextInt64(), writer, stamp).State
                    : state,
                _ => state.Accessed(T0.AddTicks(clock)),
            };
        }

        return random.Next(6) == 0 ? state.End(SessionEndReason.Invalidated, new HlcTimestamp(T0.UtcTicks + ++clock, 0, writers[0])).State : state;
    }
}
