using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace SessionCluster.Actors.Remoting;

/// <summary>How one domain message type goes to and from the wire; built by <see cref="WireSerializer"/>.</summary>
internal sealed class WireBinding(
    int typeId,
    Type type,
    Func<object, IMessage> toWire,
    Func<ReadOnlyMemory<byte>, object> fromWire,
    MessageDescriptor descriptor,
    Func<object, int>? estimatedSize = null)
{
    /// <summary>What a message of a type registered without an estimate is taken to weigh in an outbound queue: such
    /// types carry no values, only ids, numbers and addresses.</summary>
    public const int SmallMessageBytes = 64;

    /// <summary>The protobuf message type of the payload (for tools that build or inspect payloads, e.g. the fuzzers).</summary>
    public MessageDescriptor Descriptor { get; } = descriptor;

    public int TypeId { get; } = typeId;

    public Type Type { get; } = type;

    /// <summary>The protobuf message for a domain message of <see cref="Type"/>.</summary>
    public IMessage ToWire(object message) => toWire(message);

    /// <summary>Roughly how many bytes the message takes on the wire, cheaply and without encoding it: what an
    /// outbound queue counts against its byte bound. Never throws: it runs in the sender's <c>Send</c>, and a message
    /// its estimate cannot read (a null or default field) is left for the writer, whose encoding drops and logs it.</summary>
    public int EstimatedSize(object message)
    {
        if (estimatedSize is null)
        {
            return SmallMessageBytes;
        }

        try
        {
            return Math.Max(estimatedSize(message), 0);
        }
        catch (Exception error) when (error is NullReferenceException or InvalidOperationException or ArgumentException or InvalidCastException)
        {
            return SmallMessageBytes;
        }
    }

    /// <summary>Parses a payload and converts it to the domain message; <see cref="InvalidDataException"/> on malformed bytes.</summary>
    public object FromWire(ReadOnlyMemory<byte> payload) => fromWire(payload);
}
