using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SessionCluster.Actors.Remoting;

/// <summary>The transport between real processes: protobuf envelopes in length-prefixed frames over TCP, behind a
/// handshake that checks protocol version, cluster name and the shared secret.</summary>
/// <remarks>
/// Connections are one-way: a node sends on the connection it opened to a peer (one <see cref="OutboundLink"/> per peer:
/// a bounded queue, batching, reconnect with backoff) and receives on the connections peers opened to it (one
/// <see cref="InboundConnection"/> each). That keeps every connection's job simple: the sender only writes and the
/// receiver only reads, and the per-pair send order is the order of a single TCP stream. No lock is held around I/O:
/// the only lock guards the start/stop state and the creation of links. A connect that the peer's host refuses (no
/// listener on that port: the process died) is reported to the handler, as the membership's evidence of a crash. Counters are cumulative since construction and
/// cheap to read, for metrics. <see cref="Self"/> shows the bound port once <see cref="StartAsync"/> has returned.
/// </remarks>
public sealed class TcpTransport : ITransport
{
    private const int ListenBacklog = 512;

    private readonly object _gate = new();
    private readonly long _uid;
    private readonly ConcurrentDictionary<NodeAddress, OutboundLink> _links = new();
    private readonly ConcurrentDictionary<long, Task> _inbound = new();
    private readonly ConcurrentDictionary<Type, bool> _reportedUnregistered = new();
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _listener;
    private ITransportHandler? _handler;
    private Task _acceptLoop = Task.CompletedTask;
    private volatile TransportState _state = TransportState.Created;
    private long _sent;
    private long _framesSent;
    private long _received;
    private long _dropped;
    private long _overflows;
    private long _handshakesRejected;
    private long _handshakesAccepted;
    private long _closedOnBadInput;
    private long _nextConnectionId;
    private long _connectionsRefused;
    private long _throttled;
    private long _handshaking;
    private long _connectionsShed;
    private long _lastShedReport = long.MinValue;

    /// <param name="settings">Validated here; see <see cref="RemoteSettings.Validate"/>.</param>
    /// <param name="serializer">The message types this node can send and receive; frozen when the transport starts.</param>
    /// <param name="uid">This incarnation's uid, drawn at process start; peers tell a restarted node apart by it.</param>
    /// <param name="time">Clock for timeouts and backoff; the system clock if null.</param>
    /// <param name="logger">Where connection events go; nowhere if null.</param>
    /// <exception cref="InvalidOperationException">TLS is on and its certificate or CA file cannot be loaded.</exception>
    public TcpTransport(RemoteSettings settings, WireSerializer serializer, long uid, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(serializer);
        settings.Validate();
        Settings = settings;
        Serializer = serializer;
        _uid = uid;
        Time = time ?? TimeProvider.System;
        Logger = logger ?? NullLogger.Instance;
        Self = new UniqueAddress(new NodeAddress(settings.Hostname, settings.Port), uid);
        Tls = ClusterTls.Create(settings.Tls);
    }

    private enum TransportState
    {
        Created,
        Starting,
        Running,
        Stopped,
    }

    public UniqueAddress Self { get; private set; }

    public RemoteSettings Settings { get; }

    /// <summary>Messages written to a socket (whether or not the peer then read them).</summary>
    public long MessagesSent => Interlocked.Read(ref _sent);

    /// <summary>Frames written to sockets; <see cref="MessagesSent"/> over this is the mean batch size.</summary>
    public long FramesSent => Interlocked.Read(ref _framesSent);

    /// <summary>Messages decoded and handed to the handler.</summary>
    public long MessagesReceived => Interlocked.Read(ref _received);

    /// <summary>Messages lost on either side: unregistered or oversized, queued for an unreachable peer, in a frame whose
    /// write failed, sent while stopped, or received with an unknown type id or malformed payload. Excludes overflow.</summary>
    public long MessagesDropped => Interlocked.Read(ref _dropped);

    /// <summary>Sends refused because the peer's outbound queue was full.</summary>
    public long QueueOverflows => Interlocked.Read(ref _overflows);

    /// <summary>Inbound handshakes this node accepted: peers that proved themselves and may send.</summary>
    public long HandshakesAccepted => Interlocked.Read(ref _handshakesAccepted);

    /// <summary>Inbound handshakes this node refused (version, cluster name, secret, or a malformed request).</summary>
    public long HandshakesRejected => Interlocked.Read(ref _handshakesRejected);

    /// <summary>Inbound connections closed for bad input: garbage, truncated or oversized frames, unknown types, or no
    /// handshake in time.</summary>
    public long ConnectionsClosedOnBadInput => Interlocked.Read(ref _closedOnBadInput);

    /// <summary>Connect attempts the peer's host refused (nothing listened on its port), each reported to the handler.</summary>
    public long ConnectionsRefused => Interlocked.Read(ref _connectionsRefused);

    /// <summary>Pauses of inbound connections that ran over <c>inbound-message-rate</c>.</summary>
    public long InboundThrottled => Interlocked.Read(ref _throttled);

    /// <summary>Inbound connections closed at accept because <c>max-handshaking-connections</c> were still handshaking.</summary>
    public long ConnectionsShed => Interlocked.Read(ref _connectionsShed);

    /// <summary>Messages waiting in every peer's outbound queue now (for a scrape: it walks the links).</summary>
    public long OutboundQueued => SumOverLinks(static link => link.QueuedMessages);

    /// <summary>Estimated bytes of those messages (for a scrape: it walks the links).</summary>
    public long OutboundQueuedBytes => SumOverLinks(static link => link.QueuedBytes);

    /// <summary>Inbound connections open now, handshaking or handshaken.</summary>
    public int InboundConnectionCount => _inbound.Count;

    internal WireSerializer Serializer { get; }

    private long SumOverLinks(Func<OutboundLink, long> reading)
    {
        long total = 0;
        foreach (var (_, link) in _links)
        {
            total += reading(link);
        }

        return total;
    }

    internal TimeProvider Time { get; }

    internal ILogger Logger { get; }

    /// <summary>TLS for every connection, or null when it is off.</summary>
    internal ClusterTls? Tls { get; }

    /// <summary>Binds the listener (port 0: any free port, then shown in <see cref="Self"/>) and starts accepting.</summary>
    public async Task StartAsync(ITransportHandler handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_state == TransportState.Stopped, this);
            if (_state != TransportState.Created)
            {
                throw new InvalidOperationException("The transport has been started already.");
            }

            _state = TransportState.Starting;
        }

        Serializer.Freeze();
        var address = await ResolveAsync(Settings.Hostname, cancellationToken).ConfigureAwait(false);
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(address, Settings.Port));
            listener.Listen(ListenBacklog);
        }
        catch (Exception error)
        {
            listener.Dispose();
            lock (_gate)
            {
                _state = _state == TransportState.Starting ? TransportState.Created : _state;
            }

            if (error is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            {
                // The socket's own message names no address; the operator needs to know which port (remote.port).
                throw new IOException($"Failed to bind the cluster port {Settings.Hostname}:{Settings.Port} (session-cluster.remote.port): address already in use.", error);
            }

            throw;
        }

        Self = new UniqueAddress(new NodeAddress(Settings.Hostname, ((IPEndPoint)listener.LocalEndPoint!).Port), _uid);
        lock (_gate)
        {
            if (_state == TransportState.Stopped)
            {
                listener.Dispose();
                throw new ObjectDisposedException(nameof(TcpTransport), "The transport was disposed while starting.");
            }

            _listener = listener;
            _handler = handler;   // before Running: links, and so refusals, exist only from then on
            _state = TransportState.Running;
            _acceptLoop = AcceptLoopAsync(listener, handler);
        }

        RemotingLog.Listening(Logger, Self, Settings.ProtocolVersion, Settings.ClusterName);
        if (Settings.Secret.Length == 0)
        {
            RemotingLog.NoSecret(Logger, Self);
        }

        if (Tls is not null)
        {
            RemotingLog.TlsEnabled(Logger, Self, Tls.Subject, Settings.Tls.RequireClientCertificate ? "required" : "optional");
        }
    }

    /// <summary>Queues <paramref name="message"/> for <paramref name="to"/>; never blocks. False, and counted, if the
    /// transport is not running, the type is not registered, or the peer's queue is full.</summary>
    public bool Send(NodeAddress to, object message)
    {
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(message);
        if (_state != TransportState.Running)
        {
            AddDropped(1);
            return false;
        }

        if (!Serializer.TryGetByType(message.GetType(), out var binding))
        {
            AddDropped(1);
            if (_reportedUnregistered.TryAdd(message.GetType(), true))
            {
                RemotingLog.UnregisteredType(Logger, message.GetType().FullName ?? message.GetType().Name);
            }

            return false;
        }

        if (!_links.TryGetValue(to, out var link) && (link = AddLink(to)) is null)
        {
            AddDropped(1);
            return false;
        }

        return link.TryEnqueue(binding, message);
    }

    /// <summary>Stops listening, closes every connection and ends every link; queued messages are dropped.</summary>
    public async ValueTask DisposeAsync()
    {
        Socket? listener;
        List<OutboundLink> links;
        lock (_gate)
        {
            if (_state == TransportState.Stopped)
            {
                return;
            }

            _state = TransportState.Stopped;
            listener = _listener;
            links = [.. _links.Values];
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        listener?.Dispose();
        foreach (var link in links)
        {
            link.Complete();
        }

        await _acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(links.Select(link => link.Completion)).ConfigureAwait(false);
        await Task.WhenAll(_inbound.Values).ConfigureAwait(false);
        _stopping.Dispose();
        Tls?.Dispose();
    }

    internal void AddFrameSent(int messages)
    {
        Interlocked.Add(ref _sent, messages);
        Interlocked.Increment(ref _framesSent);
    }

    internal void AddReceived(int count) => Interlocked.Add(ref _received, count);

    internal void AddDropped(int count) => Interlocked.Add(ref _dropped, count);

    internal void AddOverflow() => Interlocked.Increment(ref _overflows);

    internal void AddHandshakeAccepted() => Interlocked.Increment(ref _handshakesAccepted);

    /// <summary>A peer proved itself on an inbound connection: our link to it, if backing off, retries at once.</summary>
    internal void PeerConnected(NodeAddress peer)
    {
        if (_links.TryGetValue(peer, out var link))
        {
            link.PeerSeen();
        }
    }

    /// <summary>A link's connect attempt was refused: tells the handler, which must not throw into the link.</summary>
    internal void ReportRefused(NodeAddress peer)
    {
        Interlocked.Increment(ref _connectionsRefused);
        try
        {
            _handler?.OnConnectionRefused(peer);
        }
        catch (Exception error)
        {
            RemotingLog.RefusalHandlerFailed(Logger, error, peer);
        }
    }

    internal void AddHandshakeRejected() => Interlocked.Increment(ref _handshakesRejected);

    internal void AddClosedOnBadInput() => Interlocked.Increment(ref _closedOnBadInput);

    internal void AddThrottled() => Interlocked.Increment(ref _throttled);

    /// <summary>An inbound connection's handshake is over, whatever its outcome: it no longer counts against the cap.</summary>
    internal void HandshakeEnded() => Interlocked.Decrement(ref _handshaking);

    /// <summary>Logs shed connections at most every 10 s: a flood must not flood the log too.</summary>
    private void ReportShed(Socket socket)
    {
        var now = Time.GetTimestamp();
        var last = Interlocked.Read(ref _lastShedReport);
        if ((last == long.MinValue || Time.GetElapsedTime(last, now) >= TimeSpan.FromSeconds(10)) &&
            Interlocked.CompareExchange(ref _lastShedReport, now, last) == last)
        {
            RemotingLog.ConnectionsShed(Logger, socket.RemoteEndPoint?.ToString() ?? "(unknown)", Settings.MaxHandshakingConnections, ConnectionsShed);
        }
    }

    private OutboundLink? AddLink(NodeAddress to)
    {
        lock (_gate)
        {
            if (_state != TransportState.Running)
            {
                return null;
            }

            if (_links.TryGetValue(to, out var existing))
            {
                return existing;
            }

            var link = new OutboundLink(this, to, _stopping.Token);
            _links[to] = link;
            link.Start();
            return link;
        }
    }

    private async Task AcceptLoopAsync(Socket listener, ITransportHandler handler)
    {
        var stopping = _stopping.Token;
        var failures = 0;
        while (!stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(stopping).ConfigureAwait(false);
                failures = 0;
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException error)
            {
                // A client that resets before accept, or the process out of descriptors: pause a little and go on.
                var retryIn = ReconnectBackoff.Delay(++failures, Settings.ReconnectBackoffMin, Settings.ReconnectBackoffMax, jitter: 0);
                RemotingLog.AcceptRetry(Logger, error, Self, retryIn);
                try
                {
                    await Task.Delay(retryIn, Time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }
            catch (Exception error)
            {
                RemotingLog.AcceptFailed(Logger, error, Self);
                return;
            }

            if (Settings.MaxHandshakingConnections > 0 && Interlocked.Read(ref _handshaking) >= Settings.MaxHandshakingConnections)
            {
                // A flood of connections that have proven nothing: shed the newcomer at once, so the ones already being
                // served (and every handshaken peer) keep their resources. A real peer retries with backoff.
                Interlocked.Increment(ref _connectionsShed);
                ReportShed(socket);
                socket.Dispose();
                continue;
            }

            socket.NoDelay = true;
            Interlocked.Increment(ref _handshaking);
            var id = Interlocked.Increment(ref _nextConnectionId);
            var connection = new InboundConnection(this, socket, handler);

            // A cold task, registered before it starts, so that its own removal can never run ahead of its registration.
            var run = new Task<Task>(() => ServeAsync(id, connection, stopping));
            _inbound[id] = run.Unwrap();
            run.Start(TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(long id, InboundConnection connection, CancellationToken stopping)
    {
        try
        {
            await connection.RunAsync(stopping).ConfigureAwait(false);
        }
        finally
        {
            _inbound.TryRemove(id, out _);
        }
    }

    private static async Task<IPAddress> ResolveAsync(string hostname, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(hostname, out var address))
        {
            return address;
        }

        var addresses = await Dns.GetHostAddressesAsync(hostname, cancellationToken).ConfigureAwait(false);
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault()
            ?? throw new SocketException((int)SocketError.HostNotFound);
    }
}
