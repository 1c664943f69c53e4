using Google.Protobuf;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Tests.Remoting;

/// <summary>A frozen <see cref="WireSerializer"/> with the registrations a wire-format test needs, and the encoding,
/// decoding and round-trip checks those tests share.</summary>
internal sealed class FrozenWire
{
    /// <param name="registrations">The wire formats to register (<c>MembershipWireFormat.Register</c>, …).</param>
    public FrozenWire(params Action<WireSerializer>[] registrations)
    {
        foreach (var register in registrations)
        {
            register(Serializer);
        }

        Serializer.Freeze();
    }

    public WireSerializer Serializer { get; } = new();

    /// <summary>The payload bytes of <paramref name="message"/>, through its registered binding.</summary>
    public byte[] Encode(object message)
    {
        Assert.True(Serializer.TryGetByType(message.GetType(), out var binding), $"{message.GetType().Name} is registered");
        return binding.ToWire(message).ToByteArray();
    }

    /// <summary>The message <paramref name="payload"/> decodes to as type <paramref name="typeId"/>.</summary>
    public object Decode(int typeId, byte[] payload)
    {
        Assert.True(Serializer.TryGetById(typeId, out var binding), $"type id {typeId} is registered");
        return binding.FromWire(payload);
    }

    /// <summary><paramref name="message"/> encoded and decoded again.</summary>
    public T RoundTrip<T>(T message) where T : notnull
    {
        Assert.True(Serializer.TryGetByType(typeof(T), out var binding), $"{typeof(T).Name} is registered");
        return Assert.IsType<T>(Decode(binding.TypeId, Encode(message)));
    }

    /// <summary>Decodes to an equal value, and re-encodes to the same bytes (the encoding is deterministic and loses nothing).</summary>
    public T AssertRoundTrip<T>(T message) where T : notnull
    {
        var bytes = Encode(message);
        var decoded = RoundTrip(message);
        Assert.Equal(message, decoded);
        Assert.Equal(bytes, Encode(decoded));
        return decoded;
    }

    /// <summary>Decoding <paramref name="wire"/> as type <paramref name="typeId"/> fails with a message naming <paramref name="expected"/>.</summary>
    public void AssertMalformed(int typeId, IMessage wire, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => Decode(typeId, wire.ToByteArray()));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
