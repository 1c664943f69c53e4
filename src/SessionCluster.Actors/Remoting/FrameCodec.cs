using System.Buffers.Binary;
using Google.Protobuf;

namespace SessionCluster.Actors.Remoting;

/// <summary>The byte layout of frames: the 4-byte big-endian length prefix, and the envelopes of a <c>Frame</c> message
/// (remoting.proto) written and read by hand.</summary>
/// <remarks>
/// Going through the generated <c>Frame</c>/<c>Envelope</c> classes would serialize every payload into its own
/// <c>ByteString</c> and then copy it into the frame, and on receipt copy it out again; writing the same protobuf
/// encoding directly into the connection's buffer, and parsing payloads in place, does neither. Tests check the bytes
/// against the generated classes. The reader is strict: a field the generated code would never write is malformed, and
/// the connection closes (the protocol version, not unknown fields, is how the format evolves).
/// </remarks>
internal static class FrameCodec
{
    /// <summary>Bytes of the length prefix in front of every frame.</summary>
    public const int PrefixLength = 4;

    private const byte EnvelopeTag = (1 << 3) | 2;   // Frame.envelopes: field 1, length-delimited
    private const byte TypeIdTag = (1 << 3) | 0;     // Envelope.type_id: field 1, varint
    private const byte PayloadTag = (2 << 3) | 2;    // Envelope.payload: field 2, length-delimited

    public static void WritePrefix(Span<byte> destination, int frameLength) =>
        BinaryPrimitives.WriteInt32BigEndian(destination, frameLength);

    /// <summary>The frame length announced by a prefix; negative lengths come back as <see cref="uint"/> values over any limit.</summary>
    public static uint ReadPrefix(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadUInt32BigEndian(source);

    /// <summary>Bytes one envelope takes inside a frame, including its own tag and length.</summary>
    public static int EnvelopeSize(int typeId, int payloadSize)
    {
        var body = EnvelopeBodySize(typeId, payloadSize);
        return 1 + VarintSize((uint)body) + body;
    }

    /// <summary>Writes one envelope; <paramref name="destination"/> must hold <see cref="EnvelopeSize"/> bytes.</summary>
    public static int WriteEnvelope(Span<byte> destination, int typeId, IMessage payload, int payloadSize)
    {
        var position = 0;
        destination[position++] = EnvelopeTag;
        position += WriteVarint(destination[position..], (uint)EnvelopeBodySize(typeId, payloadSize));
        destination[position++] = TypeIdTag;
        position += WriteVarint(destination[position..], (uint)typeId);
        if (payloadSize == 0)
        {
            return position;   // proto3 leaves an empty bytes field out, and so do we: the bytes stay canonical
        }

        destination[position++] = PayloadTag;
        position += WriteVarint(destination[position..], (uint)payloadSize);
        payload.WriteTo(destination.Slice(position, payloadSize));
        return position + payloadSize;
    }

    /// <summary>Reads the envelope at <paramref name="position"/> of a frame and moves past it; false at the frame's end.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a frame this version writes.</exception>
    public static bool TryReadEnvelope(ReadOnlySpan<byte> frame, ref int position, out int typeId, out int payloadOffset, out int payloadLength)
    {
        typeId = 0;
        payloadOffset = 0;
        payloadLength = 0;
        if (position >= frame.Length)
        {
            return false;
        }

        if (frame[position++] != EnvelopeTag)
        {
            throw new InvalidDataException($"Expected an envelope at byte {position - 1} of the frame, found tag {frame[position - 1]}.");
        }

        var bodyLength = ReadLength(frame, ref position);
        var end = position + bodyLength;
        var sawTypeId = false;
        payloadOffset = end;
        while (position < end)
        {
            var tag = frame[position++];
            if (tag == TypeIdTag)
            {
                var value = ReadVarint(frame[..end], ref position);
                if (value is 0 or > int.MaxValue)
                {
                    throw new InvalidDataException($"Envelope type id {value} is out of range.");
                }

                typeId = (int)value;
                sawTypeId = true;
            }
            else if (tag == PayloadTag)
            {
                payloadLength = ReadLength(frame[..end], ref position);
                payloadOffset = position;
                position += payloadLength;
            }
            else
            {
                throw new InvalidDataException($"Unexpected field tag {tag} inside an envelope.");
            }
        }

        if (!sawTypeId)
        {
            throw new InvalidDataException("An envelope has no type id.");
        }

        return true;
    }

    public static int VarintSize(uint value) => value switch
    {
        < 1u << 7 => 1,
        < 1u << 14 => 2,
        < 1u << 21 => 3,
        < 1u << 28 => 4,
        _ => 5,
    };

    public static int WriteVarint(Span<byte> destination, uint value)
    {
        var count = 0;
        while (value >= 0x80)
        {
            destination[count++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[count++] = (byte)value;
        return count;
    }

    /// <summary>Reads a varint of at most 32 significant bits (five bytes), as the lengths and ids here are.</summary>
    public static uint ReadVarint(ReadOnlySpan<byte> source, ref int position)
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (position >= source.Length)
            {
                throw new InvalidDataException("A varint runs past the end of its field.");
            }

            var next = source[position++];
            if (shift == 28 && next > 0x0F)
            {
                throw new InvalidDataException("A varint is longer than 32 bits.");
            }

            value |= (uint)(next & 0x7F) << shift;
            if (next < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("A varint is longer than 32 bits.");
    }

    private static int EnvelopeBodySize(int typeId, int payloadSize) =>
        1 + VarintSize((uint)typeId) + (payloadSize == 0 ? 0 : 1 + VarintSize((uint)payloadSize) + payloadSize);

    private static int ReadLength(ReadOnlySpan<byte> source, ref int position)
    {
        var length = ReadVarint(source, ref position);
        if (length > (uint)(source.Length - position))
        {
            throw new InvalidDataException($"A field claims {length} bytes but only {source.Length - position} remain.");
        }

        return (int)length;
    }
}
