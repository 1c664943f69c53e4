using Google.Protobuf;

namespace SessionCluster.Actors.Remoting;

/// <summary>How one domain message type goes to and from the wire; built by <see cref="WireSerializer"/>.</summary>
internal sealed class WireBinding(int typeId, Type type, Func<object, IMessage> toWire, Func<ReadOnlyMemory<byte>, object> fromWire)
{
    public int TypeId { get; } = typeId;

    public Type Type { get; } = type;

    /// <summary>The protobuf message for a domain message of <see cref="Type"/>.</summary>
    public IMessage ToWire(object message) => toWire(message);

    /// <summary>Parses a payload and converts it to the domain message; throws on malformed bytes.</summary>
    public object FromWire(ReadOnlyMemory<byte> payload) => fromWire(payload);
}
