using Google.Protobuf;

namespace SessionCluster.Actors.Remoting;

/// <summary>Packs what is queued for one peer into frames: as many messages as are waiting, up to the batch limits.</summary>
/// <remarks>
/// Only the peer's writer loop calls it, so it owns its buffer and needs no lock. Messages become protobuf here, on the
/// writer, not on the caller of <c>Send</c>: a sender pays only for a queue write. A message whose envelope would push
/// the frame past the frame limit is carried over to start the next frame; one that could never fit is dropped and
/// logged. The buffer starts at about one batch and grows, at most, to one maximal frame.
/// </remarks>
internal sealed class FrameBatcher(TcpTransport owner, NodeAddress peer, OutboundQueue queue)
{
    private readonly RemoteSettings _settings = owner.Settings;
    private PreparedMessage? _carry;
    private byte[] _frame = [];

    /// <summary>True if a message taken from the queue waits for the next frame.</summary>
    public bool HasCarry => _carry is not null;

    /// <summary>Fills the next frame, length prefix included; valid until the next call. Count 0: nothing to send.</summary>
    public (ReadOnlyMemory<byte> Frame, int Count) Fill()
    {
        var position = FrameCodec.PrefixLength;
        var count = 0;
        while (count < _settings.BatchMaxMessages && position - FrameCodec.PrefixLength < _settings.BatchMaxBytes)
        {
            PreparedMessage next;
            if (_carry is { } carried)
            {
                next = carried;
                _carry = null;
            }
            else if (!queue.TryRead(out var queued))
            {
                break;
            }
            else if (!TryPrepare(queued, out next))
            {
                continue;
            }

            if (position - FrameCodec.PrefixLength + next.Size > _settings.MaxFrameSize)
            {
                _carry = next;
                break;
            }

            EnsureCapacity(position + next.Size);
            position += FrameCodec.WriteEnvelope(_frame.AsSpan(position), next.TypeId, next.Wire, next.PayloadSize);
            count++;
        }

        if (count == 0)
        {
            return (ReadOnlyMemory<byte>.Empty, 0);
        }

        FrameCodec.WritePrefix(_frame, position - FrameCodec.PrefixLength);
        return (_frame.AsMemory(0, position), count);
    }

    /// <summary>Drops the carried message and everything queued; returns how many (already counted as dropped).</summary>
    public int DropAll()
    {
        var count = 0;
        if (_carry is not null)
        {
            _carry = null;
            count++;
        }

        while (queue.TryRead(out _))
        {
            count++;
        }

        owner.AddDropped(count);
        return count;
    }

    private bool TryPrepare(OutboundMessage queued, out PreparedMessage prepared)
    {
        prepared = default;
        IMessage wire;
        int payloadSize;
        try
        {
            wire = queued.Binding.ToWire(queued.Message);
            payloadSize = wire.CalculateSize();
        }
        catch (Exception error)
        {
            owner.AddDropped(1);
            RemotingLog.ToWireFailed(owner.Logger, error, queued.Binding.Type.Name, peer);
            return false;
        }

        var size = FrameCodec.EnvelopeSize(queued.Binding.TypeId, payloadSize);
        if (size > _settings.MaxFrameSize)
        {
            owner.AddDropped(1);
            RemotingLog.MessageTooLarge(owner.Logger, queued.Binding.Type.Name, peer, size, _settings.MaxFrameSize);
            return false;
        }

        prepared = new PreparedMessage(queued.Binding.TypeId, wire, payloadSize, size);
        return true;
    }

    private void EnsureCapacity(int needed)
    {
        if (_frame.Length >= needed)
        {
            return;
        }

        var limit = FrameCodec.PrefixLength + _settings.MaxFrameSize;
        var first = FrameCodec.PrefixLength + Math.Min(_settings.BatchMaxBytes + 1024, _settings.MaxFrameSize);
        var grown = new byte[Math.Max(needed, Math.Min(Math.Max(_frame.Length * 2, first), limit))];
        _frame.AsSpan().CopyTo(grown);
        _frame = grown;
    }

    private readonly record struct PreparedMessage(int TypeId, IMessage Wire, int PayloadSize, int Size);
}
