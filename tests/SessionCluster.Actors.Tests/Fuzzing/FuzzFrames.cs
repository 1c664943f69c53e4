using Google.Protobuf;
using SessionCluster.Actors.Remoting;
using SessionCluster.TestKit.Fuzzing;

namespace SessionCluster.Actors.Tests.Fuzzing;

/// <summary>Frame bodies for the fuzzers: valid ones (envelopes of well-formed messages of registered types), and the
/// hostile kinds built from them.</summary>
internal sealed class FuzzFrames(WireSerializer serializer, Random random)
{
    private readonly IReadOnlyList<WireBinding> _bindings = serializer.Bindings;
    private readonly ProtobufGenerator _generator = new(random);

    /// <summary>The kinds of <see cref="Hostile"/> frames.</summary>
    public static readonly string[] HostileKinds =
        ["random", "mutated-valid", "garbage-payload", "wrong-type-id", "unknown-type-id", "extra-field", "empty-envelope", "length-lie"];

    /// <summary>A frame body of 0 to 8 envelopes, each a well-formed message of a registered type (its domain checks may
    /// still refuse it).</summary>
    public byte[] Valid()
    {
        var frame = new SessionCluster.Actors.Remoting.Wire.Frame();
        var count = random.Next(4) == 0 ? random.Next(9) : 1;
        for (var i = 0; i < count; i++)
        {
            var binding = _bindings[random.Next(_bindings.Count)];
            frame.Envelopes.Add(new SessionCluster.Actors.Remoting.Wire.Envelope { TypeId = binding.TypeId, Payload = ByteString.CopyFrom(_generator.NextBytes(binding.Descriptor)) });
        }

        return frame.ToByteArray();
    }

    /// <summary>A hostile frame body of one of <see cref="HostileKinds"/>; the kind is returned for failure messages.</summary>
    public (byte[] Body, string Kind) Hostile()
    {
        var kind = HostileKinds[random.Next(HostileKinds.Length)];
        var binding = _bindings[random.Next(_bindings.Count)];
        byte[] body = kind switch
        {
            "random" => ByteMutator.RandomBytes(random, 2048),
            "mutated-valid" => ByteMutator.Mutate(Valid(), random).Output,
            "garbage-payload" => Envelope(binding.TypeId, ByteMutator.RandomBytes(random, 512)),
            "wrong-type-id" => Envelope(_bindings[random.Next(_bindings.Count)].TypeId, _generator.NextBytes(binding.Descriptor)),
            "unknown-type-id" => Envelope(random.Next(2) == 0 ? random.Next(1, 20) : random.Next(200, int.MaxValue), _generator.NextBytes(binding.Descriptor)),
            "extra-field" => [.. Envelope(binding.TypeId, _generator.NextBytes(binding.Descriptor)), 0x18, (byte)random.Next(128)],
            "empty-envelope" => [0x0A, 0x00],
            _ => ByteMutator.Mutate(Envelope(binding.TypeId, _generator.NextBytes(binding.Descriptor)), random).Output,
        };
        return (body, kind);
    }

    /// <summary>One envelope as a frame body.</summary>
    public static byte[] Envelope(int typeId, byte[] payload)
    {
        var frame = new SessionCluster.Actors.Remoting.Wire.Frame();
        frame.Envelopes.Add(new SessionCluster.Actors.Remoting.Wire.Envelope { TypeId = typeId, Payload = ByteString.CopyFrom(payload) });
        return frame.ToByteArray();
    }
}
