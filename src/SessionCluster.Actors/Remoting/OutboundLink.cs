using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace SessionCluster.Actors.Remoting;

/// <summary>Everything a node sends to one peer: a bounded queue, and one writer loop that connects, batches and
/// reconnects.</summary>
/// <remarks>
/// <code>
/// Idle        ── a message is queued ─────────────────────────────────► Connecting
/// Connecting  ── handshake accepted ──────────────────────────────────► Connected
/// Connecting  ── connect or handshake failed; queue dropped ──────────► BackingOff (min·2ⁿ, at most max);
///                 a refused connect is also reported to the transport's handler
/// BackingOff  ── wait over ───────────────────────────────────────────► Connecting if messages are queued, else Idle
/// Connected   ── peer closed, write failed or stalled; frame in flight lost ► BackingOff, or straight on as after
///                                                                         it if the connection lasted backoff-max
/// </code>
/// The queue is the only thing callers touch (<see cref="TryEnqueue"/> never blocks: a queue full by count or by bytes
/// refuses the message and counts an overflow). Only the loop reads it, so batching is a plain drain: after each write, whatever queued up
/// meanwhile goes into the next frame, up to the batch limits. A lone message therefore leaves at once (no linger), and
/// batches grow exactly when writes fall behind. When a peer cannot be reached, what is queued is dropped rather than
/// kept: it would arrive stale, and the protocols above already treat the network as lossy. Messages queued during the
/// backoff get the next attempt.
/// </remarks>
internal sealed class OutboundLink
{
    /// <summary>How often, at most, a full queue is reported in the log; the counter counts every refusal.</summary>
    private static readonly TimeSpan OverflowReportInterval = TimeSpan.FromSeconds(10);

    private const long NeverReported = long.MinValue;

    private readonly TcpTransport _owner;
    private readonly RemoteSettings _settings;
    private readonly OutboundQueue _queue;
    private readonly CancellationToken _stopping;
    private readonly FrameBatcher _batcher;
    private TaskCompletionSource? _wakeUp;
    private volatile bool _peerSeen;
    private long _overflowSinceReport;
    private long _lastOverflowReport = NeverReported;

    public OutboundLink(TcpTransport owner, NodeAddress peer, CancellationToken stopping)
    {
        _owner = owner;
        _settings = owner.Settings;
        Peer = peer;
        _stopping = stopping;
        _queue = new OutboundQueue(_settings.OutboundQueueSize, _settings.OutboundQueueMaxBytes);
        _batcher = new FrameBatcher(owner, peer, _queue);
    }

    public NodeAddress Peer { get; }

    /// <summary>Messages queued now.</summary>
    public int QueuedMessages => _queue.Count;

    /// <summary>Estimated bytes queued now.</summary>
    public long QueuedBytes => _queue.Bytes;

    /// <summary>Completes when the writer loop has ended (after <see cref="Complete"/> or the transport's stop).</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    public void Start() => Completion = RunAsync();

    /// <summary>
    /// The peer has just connected to us, so it is up (typically a restart on the same address): stop backing off
    /// and connect now. Without this a restarted node would hear nothing from a node still waiting out a backoff of
    /// up to reconnect-backoff-max, and its failure detector would take that silence for a failure.
    /// </summary>
    public void PeerSeen()
    {
        _peerSeen = true;
        Volatile.Read(ref _wakeUp)?.TrySetResult();
    }

    /// <summary>Ends the link: nothing more is accepted, and the loop exits.</summary>
    public void Complete() => _queue.Complete();

    /// <summary>Queues a message; false (counted) if the queue is full or the link has ended.</summary>
    public bool TryEnqueue(WireBinding binding, object message)
    {
        if (_queue.TryWrite(binding, message))
        {
            return true;
        }

        if (_stopping.IsCancellationRequested)
        {
            _owner.AddDropped(1);
            return false;
        }

        _owner.AddOverflow();
        ReportOverflow();
        return false;
    }

    private async Task RunAsync()
    {
        var failures = 0;
        try
        {
            while (_batcher.HasCarry || await _queue.WaitToReadAsync(_stopping).ConfigureAwait(false))
            {
                Socket socket;
                Stream stream;
                UniqueAddress acceptor;
                try
                {
                    (socket, stream, acceptor) = await ConnectAsync().ConfigureAwait(false);
                }
                catch (Exception error) when (!_stopping.IsCancellationRequested)
                {
                    if (error is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
                    {
                        _owner.ReportRefused(Peer);
                    }

                    failures++;
                    var dropped = _batcher.DropAll();
                    // Jitter needs no seed: nothing over real sockets replays exactly anyway.
                    var retryIn = ReconnectBackoff.Delay(failures, _settings.ReconnectBackoffMin, _settings.ReconnectBackoffMax, Random.Shared.NextDouble());
                    if (failures == 1)
                    {
                        RemotingLog.ConnectFailed(_owner.Logger, Peer, Describe(error), dropped, retryIn);
                    }
                    else
                    {
                        RemotingLog.ConnectStillFailing(_owner.Logger, Peer, failures, Describe(error), dropped, retryIn);
                    }

                    failures = await BackOffAsync(retryIn, failures).ConfigureAwait(false);
                    continue;
                }

                var connectedAt = _owner.Time.GetTimestamp();
                await RunConnectionAsync(socket, stream, acceptor).ConfigureAwait(false);

                // A connection that lasted counts as success. One that broke soon after its handshake (a peer that
                // accepts and then drops us) counts as a failure, so such a peer is retried with growing waits rather
                // than in a tight connect-handshake-close loop.
                if (_owner.Time.GetElapsedTime(connectedAt) >= _settings.ReconnectBackoffMax)
                {
                    failures = 0;
                }
                else if (!_stopping.IsCancellationRequested)
                {
                    failures++;
                    var retryIn = ReconnectBackoff.Delay(failures, _settings.ReconnectBackoffMin, _settings.ReconnectBackoffMax, Random.Shared.NextDouble());
                    failures = await BackOffAsync(retryIn, failures).ConfigureAwait(false);
                }
            }
        }
        catch (Exception) when (_stopping.IsCancellationRequested)
        {
            // The transport is stopping: a cancelled wait, or a socket closed under a connect.
        }
        finally
        {
            _batcher.DropAll();
        }
    }

    /// <summary>Waits out a backoff, cut short by <see cref="PeerSeen"/>; returns the failure count to go on with.</summary>
    private async Task<int> BackOffAsync(TimeSpan retryIn, int failures)
    {
        var wakeUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _wakeUp, wakeUp);
        if (_peerSeen)
        {
            wakeUp.TrySetResult();
        }

        using var cancelDelay = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        var delay = Task.Delay(retryIn, _owner.Time, cancelDelay.Token);
        await Task.WhenAny(delay, wakeUp.Task).ConfigureAwait(false);
        cancelDelay.Cancel();
        Volatile.Write(ref _wakeUp, null);
        _stopping.ThrowIfCancellationRequested();
        if (_peerSeen)
        {
            _peerSeen = false;
            return 0;
        }

        return failures;
    }

    /// <summary>Connects, then runs TLS (when on) and the connector's handshake: the connect under its own timeout, TLS and
    /// the handshake under one.</summary>
    private async Task<(Socket Socket, Stream Stream, UniqueAddress Acceptor)> ConnectAsync()
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            using (var connectTimeout = new CancellationTokenSource(_settings.ConnectTimeout, _owner.Time))
            using (var connect = CancellationTokenSource.CreateLinkedTokenSource(_stopping, connectTimeout.Token))
            {
                try
                {
                    await socket.ConnectAsync(Peer.Host, Peer.Port, connect.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (connectTimeout.IsCancellationRequested && !_stopping.IsCancellationRequested)
                {
                    throw new TimeoutException($"no TCP connection within {_settings.ConnectTimeout.TotalSeconds:0.###} s");
                }
            }

            using var handshakeTimeout = new CancellationTokenSource(_settings.HandshakeTimeout, _owner.Time);
            using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stopping, handshakeTimeout.Token);
            try
            {
                stream = new NetworkStream(socket, ownsSocket: false);
                if (_owner.Tls is { } tls)
                {
                    stream = await tls.ConnectAsync(stream, Peer.Host, handshake.Token).ConfigureAwait(false);
                }

                var reader = new FrameReader(stream, initialCapacity: 512);
                var acceptor = await TcpHandshake.ConnectAsync(stream, reader, _settings, _owner.Self, handshake.Token).ConfigureAwait(false);
                return (socket, stream, acceptor);
            }
            catch (OperationCanceledException) when (handshakeTimeout.IsCancellationRequested && !_stopping.IsCancellationRequested)
            {
                throw new TimeoutException($"no handshake within {_settings.HandshakeTimeout.TotalSeconds:0.###} s");
            }
        }
        catch
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            socket.Dispose();
            throw;
        }
    }

    /// <summary>Writes frames until the connection breaks or the transport stops; then closes the socket.</summary>
    private async Task RunConnectionAsync(Socket socket, Stream stream, UniqueAddress acceptor)
    {
        RemotingLog.Connected(_owner.Logger, acceptor);
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        var watcher = WatchForCloseAsync(stream, connection);
        string reason;
        try
        {
            await PumpAsync(stream, connection.Token).ConfigureAwait(false);
            reason = "the transport stopped";
        }
        catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
        {
            reason = "the peer closed it";
        }
        catch (Exception error)
        {
            reason = _stopping.IsCancellationRequested ? "the transport stopped" : Describe(error);
        }
        finally
        {
            await connection.CancelAsync().ConfigureAwait(false);
            socket.Dispose();
            await watcher.ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
        }

        if (!_stopping.IsCancellationRequested)
        {
            RemotingLog.Disconnected(_owner.Logger, Peer, reason);
        }
    }

    /// <summary>Acceptors send nothing after the handshake, so a receive that completes means the peer closed (or broke
    /// the protocol): either way this connection is over. Noticing it at once, rather than at the next failed write,
    /// saves the next frame from going into a dead socket, e.g. when the peer restarted.</summary>
    private static async Task WatchForCloseAsync(Stream stream, CancellationTokenSource connection)
    {
        try
        {
            await stream.ReadAsync(new byte[1], connection.Token).ConfigureAwait(false);
        }
        catch (Exception error) when (error is OperationCanceledException or SocketException or IOException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            // The connection is ending for another reason.
        }
        finally
        {
            await connection.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Writes frames while messages are queued. A write that does not finish within the write timeout means
    /// the peer stopped reading, or vanished without closing (TCP would retry for many minutes): the connection ends,
    /// so the link reconnects, and meanwhile what cannot be queued overflows instead of waiting forever.</summary>
    private async Task PumpAsync(Stream stream, CancellationToken connection)
    {
        using var write = CancellationTokenSource.CreateLinkedTokenSource(connection);
        await using var watchdog = _owner.Time.CreateTimer(static state => CancelQuietly((CancellationTokenSource)state!), write, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        while (_batcher.HasCarry || await _queue.WaitToReadAsync(connection).ConfigureAwait(false))
        {
            var (frame, count) = _batcher.Fill();
            if (count == 0)
            {
                continue;
            }

            watchdog.Change(_settings.WriteTimeout, Timeout.InfiniteTimeSpan);
            try
            {
                await stream.WriteAsync(frame, write.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (write.IsCancellationRequested && !connection.IsCancellationRequested)
            {
                LoseInFlight(count);
                throw Stalled(frame.Length);
            }
            catch
            {
                LoseInFlight(count);
                throw;
            }

            watchdog.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _owner.AddFrameSent(count);
            if (write.IsCancellationRequested && !connection.IsCancellationRequested)
            {
                throw Stalled(frame.Length);   // the watchdog fired just as the write finished: barely in time, and its token is spent
            }
        }
    }

    private TimeoutException Stalled(int frameLength) =>
        new($"a {frameLength}-byte frame could not be written within {_settings.WriteTimeout.TotalSeconds:0.###} s: the peer stopped reading");

    private void LoseInFlight(int count)
    {
        _owner.AddDropped(count);
        RemotingLog.LostInFlight(_owner.Logger, count, Peer);
    }

    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The watchdog fired as its connection ended.
        }
    }

    private void ReportOverflow()
    {
        Interlocked.Increment(ref _overflowSinceReport);
        var now = _owner.Time.GetTimestamp();
        var last = Interlocked.Read(ref _lastOverflowReport);
        if ((last == NeverReported || _owner.Time.GetElapsedTime(last, now) >= OverflowReportInterval) &&
            Interlocked.CompareExchange(ref _lastOverflowReport, now, last) == last)
        {
            RemotingLog.QueueOverflow(
                _owner.Logger, Peer, _queue.Count, _queue.Bytes, _settings.OutboundQueueSize, _settings.OutboundQueueMaxBytes,
                Interlocked.Exchange(ref _overflowSinceReport, 0));
        }
    }

    private static string Describe(Exception error) => error switch
    {
        HandshakeFailedException refused => $"handshake refused ({refused.Reason}): {refused.Detail}",
        SocketException socket => $"{socket.SocketErrorCode}: {socket.Message}",
        System.Security.Authentication.AuthenticationException tls when tls.InnerException is { } inner && inner.Message != tls.Message =>
            $"TLS failed: {tls.Message} ({inner.Message})",
        System.Security.Authentication.AuthenticationException tls => $"TLS failed: {tls.Message}",
        _ => error.Message,
    };

}
