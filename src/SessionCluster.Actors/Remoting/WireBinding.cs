using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace SessionCluster.Actors.Remoting;

/// <summary>How one domain message type goes to and from the wire; built by <see cref="WireSerializer"/>.</summary>
internal sealed class WireBinding(int typeId, Type type, Func<object, IMessage> toWire, Func<ReadOnlyMemory<byte>, object> fromWire, MessageDescriptor descriptor)
{
    /// <summary>The protobuf message type of the payload (for tools that build or inspect payloads, e.g. the fuzzers).</summary>
    public MessageDescriptor Descriptor { get; } = descriptor;

    public int TypeId { get; } = typeId;

    public Type Type { get; } = type;

    /// <summary>The protobuf message for a domain message of <see cref="Type"/>.</summary>
    public IMessage ToWire(object message) => toWire(message);

    /// <summary>Parses a payload and converts it to the domain message; <see cref="InvalidDataException"/> on malformed bytes.</summary>
    public object FromWire(ReadOnlyMemory<byte> payload) => fromWire(payload);
}
