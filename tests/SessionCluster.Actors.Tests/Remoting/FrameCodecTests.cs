using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Remoting.Wire;

namespace SessionCluster.Actors.Tests.Remoting;

public sealed class FrameCodecTests
{
    public static TheoryData<int, string> Envelopes => new()
    {
        { 1, "x" },
        { 127, string.Empty },          // empty payload: proto3 leaves the field out
        { 128, new string('a', 127) },  // two-byte type id; payload length at the one-byte edge
        { 300, new string('b', 128) },  // two-byte payload length
        { WireTypeIds.TestRangeStart, new string('c', 20_000) },
        { int.MaxValue, "max id" },
    };

    [Theory]
    [MemberData(nameof(Envelopes))]
    public void WriteEnvelope_BytesEqualTheGeneratedFrame(int typeId, string text)
    {
        IMessage payload = new StringValue { Value = text };
        var expected = new Frame { Envelopes = { new Envelope { TypeId = typeId, Payload = payload.ToByteString() } } }.ToByteArray();

        var size = FrameCodec.EnvelopeSize(typeId, payload.CalculateSize());
        var written = new byte[size];
        Assert.Equal(size, FrameCodec.WriteEnvelope(written, typeId, payload, payload.CalculateSize()));

        Assert.Equal(expected, written);
    }

    [Fact]
    public void TryReadEnvelope_ReadsTheGeneratedFrame_InOrder()
    {
        var frame = new Frame
        {
            Envelopes =
            {
                new Envelope { TypeId = 5, Payload = ByteString.CopyFromUtf8("first") },
                new Envelope { TypeId = 1_000_000, Payload = ByteString.Empty },
                new Envelope { TypeId = 7, Payload = ByteString.CopyFrom(new byte[1000]) },
            },
        }.ToByteArray();

        var read = new List<(int TypeId, byte[] Payload)>();
        var position = 0;
        while (FrameCodec.TryReadEnvelope(frame, ref position, out var typeId, out var offset, out var length))
        {
            read.Add((typeId, frame[offset..(offset + length)]));
        }

        Assert.Equal([5, 1_000_000, 7], read.Select(r => r.TypeId));
        Assert.Equal("first"u8.ToArray(), read[0].Payload);
        Assert.Empty(read[1].Payload);
        Assert.Equal(1000, read[2].Payload.Length);
        Assert.Equal(frame.Length, position);
    }

    [Fact]
    public void TryReadEnvelope_EmptyFrame_HasNoEnvelopes()
    {
        var position = 0;
        Assert.False(FrameCodec.TryReadEnvelope([], ref position, out _, out _, out _));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]                                  // not the envelope tag
    [InlineData(new byte[] { 0x0A })]                                  // tag with no length
    [InlineData(new byte[] { 0x0A, 0x05, 0x08, 0x01 })]                // envelope longer than the frame
    [InlineData(new byte[] { 0x0A, 0x02, 0x12, 0x00 })]                // no type id
    [InlineData(new byte[] { 0x0A, 0x02, 0x08, 0x00 })]                // type id 0
    [InlineData(new byte[] { 0x0A, 0x04, 0x08, 0x01, 0x18, 0x01 })]    // an unknown field
    [InlineData(new byte[] { 0x0A, 0x04, 0x08, 0x01, 0x12, 0x05 })]    // payload longer than the envelope
    [InlineData(new byte[] { 0x0A, 0x07, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })] // a varint over 32 bits
    [InlineData(new byte[] { 0x0A, 0x06, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })] // type id over int.MaxValue
    public void TryReadEnvelope_Malformed_Throws(byte[] frame)
    {
        var position = 0;
        Assert.Throws<InvalidDataException>(() => FrameCodec.TryReadEnvelope(frame, ref position, out _, out _, out _));
    }

    [Theory]
    [InlineData(0u, 1)]
    [InlineData(127u, 1)]
    [InlineData(128u, 2)]
    [InlineData(16_383u, 2)]
    [InlineData(16_384u, 3)]
    [InlineData(2_097_152u, 4)]
    [InlineData(uint.MaxValue, 5)]
    public void Varint_RoundTrips_AtEveryLengthBoundary(uint value, int size)
    {
        var buffer = new byte[5];
        Assert.Equal(size, FrameCodec.VarintSize(value));
        Assert.Equal(size, FrameCodec.WriteVarint(buffer, value));

        var position = 0;
        Assert.Equal(value, FrameCodec.ReadVarint(buffer, ref position));
        Assert.Equal(size, position);
    }

    [Fact]
    public void Prefix_IsBigEndian()
    {
        var prefix = new byte[4];
        FrameCodec.WritePrefix(prefix, 0x01020304);

        Assert.Equal(new byte[] { 1, 2, 3, 4 }, prefix);
        Assert.Equal(0x01020304u, FrameCodec.ReadPrefix(prefix));
    }
}
