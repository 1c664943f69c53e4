using System.Net.Sockets;
using System.Security.Authentication;

namespace SessionCluster.Actors.Remoting;

/// <summary>One accepted connection: TLS (when on) and the acceptor's handshake under one timeout, then frames read and
/// delivered in order.</summary>
/// <remarks>
/// With TLS on, the TLS handshake comes first and the HMAC handshake runs inside it; a peer that speaks no TLS, or
/// whose certificate the cluster's CA did not sign, is refused there and counted as a rejected handshake.
/// Nothing but the handshake is read until the peer has proven itself, and handshake frames are small. After that, each
/// frame's envelopes are decoded and handed to the handler one at a time on this connection's loop, so a peer's
/// messages arrive in send order and a slow handler slows only this peer (TCP backpressure fills its outbound queue,
/// which then overflows and counts; memory stays bounded), and a peer faster than <c>inbound-message-rate</c> is read no
/// faster than that (<see cref="InboundBudget"/>), so a flooding peer cannot fill this node's mailboxes. Anything that is not a well-formed frame of known types —
/// garbage, an oversized length, a truncated frame, an unknown type id, a payload its type cannot parse — closes this
/// connection alone and is logged; the listener and every other connection go on. A handler that throws is logged and
/// the connection goes on: the fault is the receiver's, not the peer's.
/// </remarks>
internal sealed class InboundConnection(TcpTransport owner, Socket socket, ITransportHandler handler)
{
    private readonly string _endpoint = socket.RemoteEndPoint?.ToString() ?? "(unknown)";

    public async Task RunAsync(CancellationToken stopping)
    {
        var settings = owner.Settings;
        UniqueAddress? peer = null;
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        var inTls = false;
        var handshaking = true;
        try
        {
            FrameReader reader;
            using (var timeout = new CancellationTokenSource(settings.HandshakeTimeout, owner.Time))
            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout.Token))
            {
                try
                {
                    if (owner.Tls is { } tls)
                    {
                        inTls = true;
                        stream = await tls.AcceptAsync(stream, handshake.Token).ConfigureAwait(false);
                        inTls = false;
                    }

                    reader = new FrameReader(stream, initialCapacity: 4096);
                    peer = await TcpHandshake.AcceptAsync(stream, reader, settings, owner.Self, handshake.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stopping.IsCancellationRequested)
                {
                    throw new TimeoutException(inTls
                        ? $"no TLS handshake within {settings.HandshakeTimeout.TotalSeconds:0.###} s (TLS is required here: a plaintext peer waits for a challenge that never comes)"
                        : $"no handshake within {settings.HandshakeTimeout.TotalSeconds:0.###} s");
                }
            }

            handshaking = false;
            owner.HandshakeEnded();
            owner.AddHandshakeAccepted();
            RemotingLog.InboundAccepted(owner.Logger, peer, _endpoint);
            owner.PeerConnected(peer.Address);
            var rate = settings.InboundMessageRate;
            var started = owner.Time.GetTimestamp();
            var budget = InboundBudget.Full(rate, TimeSpan.Zero);
            while (await reader.ReadFrameAsync(settings.MaxFrameSize, stopping).ConfigureAwait(false) is { } frame)
            {
                var delivered = Deliver(frame, peer);
                if (rate > 0)
                {
                    (budget, var wait) = budget.Spend(delivered, owner.Time.GetElapsedTime(started), rate);
                    if (wait > TimeSpan.Zero)
                    {
                        owner.AddThrottled();
                        await Task.Delay(wait, owner.Time, stopping).ConfigureAwait(false);
                    }
                }
            }

            RemotingLog.InboundClosed(owner.Logger, peer);
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            // The transport is stopping; its sockets close with it.
        }
        catch (HandshakeFailedException refused)
        {
            owner.AddHandshakeRejected();
            RemotingLog.InboundRejected(owner.Logger, _endpoint, refused.Claimed, refused.Reason.ToString(), refused.Detail);
        }
        catch (AuthenticationException refused)
        {
            owner.AddHandshakeRejected();
            RemotingLog.InboundTlsRejected(owner.Logger, _endpoint, Describe(refused));
        }
        catch (Exception error) when (error is InvalidDataException or EndOfStreamException or TimeoutException)
        {
            owner.AddClosedOnBadInput();
            RemotingLog.InboundBadData(owner.Logger, _endpoint, peer?.ToString() ?? "before the handshake", error.Message);
        }
        catch (Exception error) when (error is SocketException or IOException or ObjectDisposedException)
        {
            RemotingLog.InboundEnded(owner.Logger, _endpoint, peer?.ToString() ?? "before the handshake", error.Message);
        }
        catch (Exception error)
        {
            // A bug, not the peer's doing; still only this connection ends.
            RemotingLog.InboundFailed(owner.Logger, error, _endpoint, peer?.ToString() ?? "before the handshake");
        }
        finally
        {
            if (handshaking)
            {
                owner.HandshakeEnded();
            }

            await stream.DisposeAsync().ConfigureAwait(false);
            socket.Dispose();
        }
    }

    /// <summary>The refusal and, when TLS itself failed, the platform's reason beneath it.</summary>
    private static string Describe(AuthenticationException error) =>
        error.InnerException is { } inner && inner.Message != error.Message ? $"{error.Message} ({inner.Message})" : error.Message;

    /// <summary>Decodes and hands over every envelope of <paramref name="frame"/>; returns how many were delivered.</summary>
    private int Deliver(ReadOnlyMemory<byte> frame, UniqueAddress peer)
    {
        var position = 0;
        var delivered = 0;
        try
        {
            while (FrameCodec.TryReadEnvelope(frame.Span, ref position, out var typeId, out var offset, out var length))
            {
                if (!owner.Serializer.TryGetById(typeId, out var binding))
                {
                    owner.AddDropped(1);
                    throw new InvalidDataException($"unknown message type id {typeId}: the peer runs software this node does not know");
                }

                object message;
                try
                {
                    message = binding.FromWire(frame.Slice(offset, length));
                }
                catch (Exception error)
                {
                    owner.AddDropped(1);
                    throw new InvalidDataException($"a malformed {binding.Type.Name} (type id {typeId}): {error.Message}", error);
                }

                delivered++;
                try
                {
                    handler.OnMessage(peer, message);
                }
                catch (Exception error)
                {
                    RemotingLog.HandlerFailed(owner.Logger, error, binding.Type.Name, peer);
                }
            }
        }
        finally
        {
            owner.AddReceived(delivered);
        }

        return delivered;
    }
}
