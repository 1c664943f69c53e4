using Google.Protobuf;
using SessionCluster.Actors.Remoting;
using SessionCluster.TestKit.Fuzzing;
using Xunit.Abstractions;

namespace SessionCluster.Actors.Tests.Fuzzing;

/// <summary>Seeded fuzzing of every message decoder a node registers (membership, sharding, replication, sessions inside
/// them): well-formed messages with random field values, their mutations, and random bytes.</summary>
/// <remarks>
/// The contract: a payload either decodes, or fails with <see cref="InvalidDataException"/> (the domain checks) or
/// <see cref="InvalidProtocolBufferException"/> (not protobuf), which the transport turns into closing that one
/// connection. Anything else (a null dereference, an index or argument out of range deep in a constructor, an
/// overflow) is a bug. A payload that decodes must encode again, and decode to the same bytes: a node that forwards
/// or hands off what it received must not fail on it.
/// </remarks>
public sealed class WireDecoderFuzzTests(ITestOutputHelper output)
{
    public static TheoryData<int> TypeIds() => [.. FrameDecoderFuzzTests.Serializer().Bindings.Select(binding => binding.TypeId)];

    [Theory]
    [MemberData(nameof(TypeIds))]
    public void Decoder_OnHostilePayloads_ThrowsOnlyTheDocumentedErrors_AndWhatDecodesRoundTrips(int typeId)
    {
        var serializer = FrameDecoderFuzzTests.Serializer();
        Assert.True(serializer.TryGetById(typeId, out var binding));
        var seed = FuzzBudget.Seed(1000 + typeId);
        var random = new Random(seed);
        var generator = new ProtobufGenerator(random);
        var iterations = FuzzBudget.Iterations(1_500);
        var decoded = new List<byte[]>();
        var seeds = FuzzCorpus.Build(serializer, new Random(seed)).GetValueOrDefault(typeId) ?? [];
        var accepted = 0;
        for (var i = 0; i < iterations; i++)
        {
            var (payload, kind) = (i % 4) switch
            {
                0 when seeds.Count > 0 => (ByteMutator.Mutate(seeds[random.Next(seeds.Count)], random).Output, "mutated-corpus"),
                0 or 1 => (generator.NextBytes(binding.Descriptor), "generated"),
                2 when decoded.Count > 0 => (ByteMutator.Mutate(decoded[random.Next(decoded.Count)], random).Output, "mutated-accepted"),
                2 => (ByteMutator.Mutate(generator.NextBytes(binding.Descriptor), random).Output, "mutated"),
                _ => (ByteMutator.RandomBytes(random, 256), "random"),
            };

            object message;
            try
            {
                message = binding.FromWire(payload);
            }
            catch (InvalidDataException)
            {
                continue;
            }
            catch (Exception error)
            {
                throw new FuzzFindingException(seed, i, $"{binding.Type.Name} {kind}", payload, error);
            }

            accepted++;
            if (decoded.Count < 64)
            {
                decoded.Add(payload);
            }

            try
            {
                var encoded = binding.ToWire(message).ToByteArray();
                var again = binding.ToWire(binding.FromWire(encoded)).ToByteArray();
                Assert.Equal(encoded, again);
            }
            catch (Exception error) when (error is not Xunit.Sdk.XunitException)
            {
                throw new FuzzFindingException(seed, i, $"{binding.Type.Name} {kind}, re-encoding what decoded", payload, error);
            }
        }

        output.WriteLine($"{binding.Type.Name} (type id {typeId}): {accepted} of {iterations} payloads decoded (seed {seed})");
    }
}
