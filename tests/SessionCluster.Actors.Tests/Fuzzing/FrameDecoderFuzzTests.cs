using System.Buffers.Binary;
using Google.Protobuf;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Remoting;
using SessionCluster.TestKit.Fuzzing;

namespace SessionCluster.Actors.Tests.Fuzzing;

/// <summary>Seeded fuzzing of what a connection does with its bytes: the frame reader (length prefixes over a stream
/// that delivers them in random pieces) and the envelope decoder, on random frames and mutations of valid ones.</summary>
/// <remarks>The contract under test: bad bytes end in <see cref="InvalidDataException"/> (or
/// <see cref="EndOfStreamException"/> for a stream cut short), which closes that connection alone; any other exception,
/// an endless loop, or an envelope outside its frame is a bug. Raise the count with SESSIONCLUSTER_FUZZ_ITERATIONS.</remarks>
public sealed class FrameDecoderFuzzTests
{
    [Fact]
    public void EnvelopeDecoder_OnHostileFrames_ThrowsOnlyInvalidData_AndStaysInsideTheFrame()
    {
        var seed = FuzzBudget.Seed(20261122);
        var random = new Random(seed);
        var frames = new FuzzFrames(Serializer(), random);
        var iterations = FuzzBudget.Iterations(20_000);
        var rejected = 0;
        for (var i = 0; i < iterations; i++)
        {
            var (body, kind) = i % 5 == 0 ? (frames.Valid(), "valid") : frames.Hostile();
            try
            {
                var position = 0;
                var envelopes = 0;
                while (FrameCodec.TryReadEnvelope(body, ref position, out var typeId, out var offset, out var length))
                {
                    Assert.True(typeId > 0, "a type id is positive");
                    Assert.InRange(offset, 0, body.Length);
                    Assert.InRange(length, 0, body.Length - offset);
                    Assert.True(++envelopes <= body.Length, "each envelope takes at least a byte");
                }

                Assert.Equal(body.Length, position);
            }
            catch (InvalidDataException)
            {
                rejected++;
            }
            catch (Exception error) when (error is not Xunit.Sdk.XunitException)
            {
                throw new FuzzFindingException(seed, i, kind, body, error);
            }
        }

        Assert.True(rejected > iterations / 4, $"the hostile frames were mostly refused ({rejected} of {iterations})");
    }

    [Fact]
    public async Task FrameReader_OnHostileStreams_ReadsWholeFramesOrRefuses()
    {
        var seed = FuzzBudget.Seed(4053);
        var random = new Random(seed);
        var frames = new FuzzFrames(Serializer(), random);
        var iterations = FuzzBudget.Iterations(3_000);
        const int maxFrame = 64 * 1024;
        for (var i = 0; i < iterations; i++)
        {
            // A few valid frames, then maybe a hostile stream tail (a lying prefix, a cut, garbage).
            var stream = new MemoryStream();
            var expected = new List<byte[]>();
            for (var f = random.Next(4); f > 0; f--)
            {
                var body = frames.Valid();
                expected.Add(body);
                stream.Write(Prefixed(body));
            }

            var valid = stream.ToArray();
            var bytes = random.Next(3) == 0 ? valid : ByteMutator.Mutate([.. valid, .. Prefixed(frames.Hostile().Body)], random).Output;
            var reader = new FrameReader(new ChunkedStream(bytes, random), initialCapacity: 16);
            var read = new List<byte[]>();
            try
            {
                while (await reader.ReadFrameAsync(maxFrame, CancellationToken.None) is { } frame)
                {
                    Assert.InRange(frame.Length, 0, maxFrame);
                    read.Add(frame.ToArray());
                    Assert.True(read.Count <= bytes.Length / FrameCodec.PrefixLength, "each frame takes at least its prefix");
                }

                if (bytes == valid)
                {
                    Assert.Equal(expected, read);
                }
            }
            catch (Exception error) when (error is InvalidDataException or EndOfStreamException)
            {
                Assert.NotSame(valid, bytes);
            }
            catch (Exception error) when (error is not Xunit.Sdk.XunitException)
            {
                throw new FuzzFindingException(seed, i, "stream", bytes, error);
            }
        }
    }

    internal static WireSerializer Serializer()
    {
        var serializer = ClusterNode.CreateWireSerializer();
        serializer.Freeze();
        return serializer;
    }

    private static byte[] Prefixed(byte[] body)
    {
        var bytes = new byte[FrameCodec.PrefixLength + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, body.Length);
        body.CopyTo(bytes, FrameCodec.PrefixLength);
        return bytes;
    }

    /// <summary>Hands its bytes out in random pieces, as TCP may.</summary>
    private sealed class ChunkedStream(byte[] bytes, Random random) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => bytes.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var count = Math.Min(Math.Min(buffer.Length, bytes.Length - _position), 1 + random.Next(64));
            bytes.AsSpan(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
