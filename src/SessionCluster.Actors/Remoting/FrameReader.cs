namespace SessionCluster.Actors.Remoting;

/// <summary>Reads length-prefixed frames from a connection's stream (a socket's, or TLS over it) into one reusable buffer, many frames per receive call.</summary>
/// <remarks>
/// A returned frame is a slice of the buffer, valid until the next call: the caller decodes it before reading on, which
/// spares a copy per frame. The buffer grows only as far as the largest frame allowed, so an announced length over the
/// limit is refused before any memory is taken for it.
/// </remarks>
internal sealed class FrameReader(Stream stream, int initialCapacity)
{
    private byte[] _buffer = new byte[initialCapacity];
    private int _start;
    private int _end;

    /// <summary>The next frame's bytes, or null if the peer closed the connection cleanly between frames.</summary>
    /// <exception cref="InvalidDataException">The announced length is over <paramref name="maxFrameLength"/>.</exception>
    /// <exception cref="EndOfStreamException">The peer closed the connection in the middle of a frame.</exception>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadFrameAsync(int maxFrameLength, CancellationToken cancellationToken)
    {
        while (_end - _start < FrameCodec.PrefixLength)
        {
            if (!await FillAsync(FrameCodec.PrefixLength, cancellationToken).ConfigureAwait(false))
            {
                return _end == _start
                    ? null
                    : throw new EndOfStreamException($"The connection closed inside a frame's length prefix ({_end - _start} of 4 bytes).");
            }
        }

        var length = FrameCodec.ReadPrefix(_buffer.AsSpan(_start));
        if (length > (uint)maxFrameLength)
        {
            throw new InvalidDataException($"A frame announces {length} bytes; the limit is {maxFrameLength}.");
        }

        var total = FrameCodec.PrefixLength + (int)length;
        while (_end - _start < total)
        {
            if (!await FillAsync(total, cancellationToken).ConfigureAwait(false))
            {
                throw new EndOfStreamException(
                    $"The connection closed inside a frame: {_end - _start - FrameCodec.PrefixLength} of {length} bytes arrived.");
            }
        }

        var frame = _buffer.AsMemory(_start + FrameCodec.PrefixLength, (int)length);
        _start += total;
        return frame;
    }

    /// <summary>Receives more bytes, first making room for <paramref name="needed"/> bytes from the current frame's start.</summary>
    private async ValueTask<bool> FillAsync(int needed, CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }

        if (_buffer.Length - _start < needed)
        {
            var target = _buffer.Length >= needed ? _buffer : new byte[Math.Max(needed, Math.Min(_buffer.Length * 2, int.MaxValue / 2))];
            Buffer.BlockCopy(_buffer, _start, target, 0, _end - _start);
            _end -= _start;
            _start = 0;
            _buffer = target;
        }

        var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        _end += read;
        return read > 0;
    }
}
