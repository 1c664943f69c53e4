using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Tests.Remoting;

public sealed class OutboundQueueTests
{
    private static readonly WireSerializer Serializer = Frozen();

    private static readonly WireBinding Blob = BindingOf<BlobMessage>();

    private static readonly WireBinding Number = BindingOf<NumberMessage>();

    [Fact]
    public void ByteBound_RefusesAMessageThatWouldGoOverIt_UntilTheReaderMakesRoom()
    {
        var queue = new OutboundQueue(capacity: 100, maxBytes: 10_000);

        Assert.True(queue.TryWrite(Blob, Bytes(4_000)));
        Assert.True(queue.TryWrite(Blob, Bytes(4_000)));
        Assert.False(queue.TryWrite(Blob, Bytes(4_000)));   // 12,048 estimated bytes would be held
        Assert.True(queue.TryWrite(Blob, Bytes(1_000)));    // a smaller one still fits: 9,048
        Assert.Equal(3, queue.Count);
        Assert.Equal(3 * TestMessages.BlobOverheadBytes + 9_000, queue.Bytes);

        Assert.True(queue.TryRead(out var first));
        Assert.Equal(4_000, ((BlobMessage)first.Message).Bytes.Length);
        Assert.Equal(2 * TestMessages.BlobOverheadBytes + 5_000, queue.Bytes);
        Assert.True(queue.TryWrite(Blob, Bytes(4_000)));
    }

    [Fact]
    public void EmptyQueue_TakesOneMessageLargerThanTheByteBound_AndNothingBesideIt()
    {
        var queue = new OutboundQueue(capacity: 100, maxBytes: 1_000);

        Assert.True(queue.TryWrite(Blob, Bytes(50_000)));
        Assert.False(queue.TryWrite(Number, new NumberMessage(1)));

        Assert.True(queue.TryRead(out _));
        Assert.Equal(0, queue.Bytes);
        Assert.True(queue.TryWrite(Number, new NumberMessage(2)));
    }

    [Fact]
    public void CountBound_StillRefuses_HoweverFewTheBytes()
    {
        var queue = new OutboundQueue(capacity: 3, maxBytes: 1_000_000);

        var accepted = Enumerable.Range(0, 5).Count(i => queue.TryWrite(Number, new NumberMessage(i)));

        Assert.Equal(3, accepted);
        Assert.Equal(3 * WireBinding.SmallMessageBytes, queue.Bytes);   // the refused ones gave their bytes back
    }

    [Fact]
    public void ZeroByteBound_RefusesOnlyByCount()
    {
        var queue = new OutboundQueue(capacity: 10, maxBytes: 0);

        var accepted = Enumerable.Range(0, 12).Count(_ => queue.TryWrite(Blob, Bytes(1_000_000)));

        Assert.Equal(10, accepted);
        Assert.Equal(10 * (TestMessages.BlobOverheadBytes + 1_000_000L), queue.Bytes);
    }

    [Fact]
    public void Completed_RefusesEverything_AndTheReaderStillDrainsWhatIsHeld()
    {
        var queue = new OutboundQueue(capacity: 10, maxBytes: 10_000);
        Assert.True(queue.TryWrite(Number, new NumberMessage(1)));

        queue.Complete();

        Assert.False(queue.TryWrite(Number, new NumberMessage(2)));
        Assert.Equal(WireBinding.SmallMessageBytes, queue.Bytes);
        Assert.True(queue.TryRead(out var held));
        Assert.Equal(new NumberMessage(1), held.Message);
        Assert.Equal(0, queue.Bytes);
    }

    [Fact]
    public async Task ConcurrentWritersAndOneReader_LeaveTheCountOfBytesExact()
    {
        var queue = new OutboundQueue(capacity: 64, maxBytes: 20_000);
        var written = 0L;
        var read = 0L;
        using var done = new CancellationTokenSource();
        var reader = Task.Run(() =>
        {
            while (!done.IsCancellationRequested || queue.Count > 0)
            {
                while (queue.TryRead(out var message))
                {
                    read += ((BlobMessage)message.Message).Bytes.Length;
                }
            }
        });
        Parallel.For(0, 20_000, i =>
        {
            var size = 1 + (i % 3_000);
            if (queue.TryWrite(Blob, Bytes(size)))
            {
                Interlocked.Add(ref written, size);
            }
        });
        done.Cancel();
        await reader.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(0, queue.Count);
        Assert.Equal(0, queue.Bytes);
        Assert.Equal(written, read);
    }

    private static BlobMessage Bytes(int length) => new(new byte[length]);

    private static WireSerializer Frozen()
    {
        var serializer = TestMessages.Serializer();
        serializer.Freeze();
        return serializer;
    }

    private static WireBinding BindingOf<T>() =>
        Serializer.TryGetByType(typeof(T), out var binding) ? binding : throw new InvalidOperationException(typeof(T).Name);
}
