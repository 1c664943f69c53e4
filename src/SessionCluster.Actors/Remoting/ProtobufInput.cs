using Google.Protobuf;

namespace SessionCluster.Actors.Remoting;

/// <summary>Parses protobuf bytes that came from the network, with one failure for every kind of malformed input.</summary>
/// <remarks>
/// Google.Protobuf's span parser is meant to throw <see cref="InvalidProtocolBufferException"/> on bad bytes, but some
/// inputs make it throw <see cref="IndexOutOfRangeException"/> instead: a nested message whose length varint is near
/// 2^32 overflows its limit arithmetic and reads past the buffer (protocolbuffers/protobuf#26856, still open; found
/// here by the wire fuzzer, pinned by its regression tests). Callers rely on one exception type to tell "the peer sent
/// garbage" (close that connection, log a warning) from a bug of ours, so every parser failure becomes
/// <see cref="InvalidDataException"/> here.
/// </remarks>
internal static class ProtobufInput
{
    /// <summary>The message <paramref name="bytes"/> encode.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid <typeparamref name="T"/>; the message says why.</exception>
    public static T Parse<T>(MessageParser<T> parser, ReadOnlySpan<byte> bytes)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(bytes);
        }
        catch (Exception error) when (error is InvalidProtocolBufferException or IndexOutOfRangeException or ArgumentOutOfRangeException or OverflowException)
        {
            throw new InvalidDataException($"A malformed {typeof(T).Name}: {error.Message}", error);
        }
    }
}
