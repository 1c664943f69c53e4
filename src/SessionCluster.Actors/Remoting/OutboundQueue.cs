using System.Threading.Channels;

namespace SessionCluster.Actors.Remoting;

/// <summary>One peer's queue of messages waiting for its writer, bounded twice: by how many messages it holds and by
/// the bytes they will take on the wire (as <see cref="WireBinding.EstimatedSize"/> estimates them).</summary>
/// <remarks>
/// The count alone would let a stalled peer pin the count times the largest message (16,384 deltas of 64 KiB values
/// are a gigabyte); the byte bound keeps that to about its own size. A queue that holds nothing takes any one message
/// however large, so a message the frame limit allows is never refused for its size alone. Writers never block: a
/// message over either bound is refused at once. One reader (the peer's writer loop) takes messages out, which gives
/// their bytes back.
/// </remarks>
internal sealed class OutboundQueue
{
    private readonly Channel<OutboundMessage> _channel;
    private long _bytes;

    /// <param name="capacity">Most messages held.</param>
    /// <param name="maxBytes">Most estimated bytes held; 0: no byte bound.</param>
    public OutboundQueue(int capacity, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        MaxBytes = maxBytes;
        _channel = Channel.CreateBounded<OutboundMessage>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,   // with TryWrite: refuse when full, never block and never evict
            SingleReader = true,
            AllowSynchronousContinuations = false,
        });
    }

    /// <summary>Most estimated bytes held; 0: no byte bound.</summary>
    public long MaxBytes { get; }

    /// <summary>Messages held now.</summary>
    public int Count => _channel.Reader.Count;

    /// <summary>Estimated bytes held now.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Queues a message; false if either bound refuses it, or the queue was completed.</summary>
    public bool TryWrite(WireBinding binding, object message)
    {
        var size = binding.EstimatedSize(message);
        var held = Interlocked.Add(ref _bytes, size);
        if (MaxBytes > 0 && held > MaxBytes && held != size)
        {
            Interlocked.Add(ref _bytes, -size);
            return false;
        }

        if (_channel.Writer.TryWrite(new OutboundMessage(binding, message, size)))
        {
            return true;
        }

        Interlocked.Add(ref _bytes, -size);
        return false;
    }

    /// <summary>Takes the oldest message, if any, and gives its bytes back. Only the one reader calls it.</summary>
    public bool TryRead(out OutboundMessage message)
    {
        if (!_channel.Reader.TryRead(out message))
        {
            return false;
        }

        Interlocked.Add(ref _bytes, -message.EstimatedSize);
        return true;
    }

    /// <summary>Waits until a message can be read (true) or the queue is completed and empty (false).</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => _channel.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>Accepts nothing more; the reader still drains what is held.</summary>
    public void Complete() => _channel.Writer.TryComplete();
}
