namespace SessionCluster.Actors.Remoting;

/// <summary>A node's end of an <see cref="InMemoryNetwork"/>: messages arrive when their transit time has passed.</summary>
/// <remarks>
/// Arrivals wait in a queue ordered by arrival time (then send order) and are handed to the handler one at a time by
/// a single timer of the network's clock, so on a manual clock delivery happens inside <c>Advance</c>, in order.
/// Refusals the network reports to this sender wait in the same queue, so they reach the handler in time order with
/// messages, never from inside a <see cref="Send"/>; while one for a peer is waiting, more for it are not queued (a
/// real link backs off between attempts too).
/// </remarks>
public sealed class InMemoryTransport : ITransport
{
    private readonly object _gate = new();
    private readonly InMemoryNetwork _network;
    private readonly PriorityQueue<(UniqueAddress From, object Message), (DateTimeOffset At, long Sequence)> _inbox = new();
    private readonly HashSet<NodeAddress> _pendingRefusals = [];
    private ITransportHandler? _handler;
    private ITimer? _timer;
    private DateTimeOffset _armedFor = DateTimeOffset.MaxValue;
    private bool _draining;
    private bool _stopped;

    internal InMemoryTransport(InMemoryNetwork network, UniqueAddress self)
    {
        _network = network;
        Self = self;
    }

    public UniqueAddress Self { get; }

    public Task StartAsync(ITransportHandler handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            _handler = handler;
            _timer = _network.Time.CreateTimer(static state => ((InMemoryTransport)state!).Drain(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            ArmLocked();
        }

        return Task.CompletedTask;
    }

    public bool Send(NodeAddress to, object message)
    {
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(message);
        return !_stopped && _network.Route(this, to, message);
    }

    public ValueTask DisposeAsync()
    {
        _network.Detach(this);
        Stop();
        return ValueTask.CompletedTask;
    }

    internal void Enqueue(DateTimeOffset at, long sequence, UniqueAddress from, object message)
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            _inbox.Enqueue((from, message), (at, sequence));
            ArmLocked();
        }
    }

    /// <summary>Queues the report that a connection to <paramref name="peer"/> was refused, unless one is waiting already.</summary>
    internal void EnqueueRefusal(DateTimeOffset at, long sequence, NodeAddress peer)
    {
        lock (_gate)
        {
            if (!_stopped && _pendingRefusals.Add(peer))
            {
                _inbox.Enqueue((Self, new Refusal(peer)), (at, sequence));
                ArmLocked();
            }
        }
    }

    internal void Stop()
    {
        lock (_gate)
        {
            _stopped = true;
            _inbox.Clear();
            _pendingRefusals.Clear();
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void Drain()
    {
        lock (_gate)
        {
            if (_draining)
            {
                return;
            }

            _draining = true;
            _armedFor = DateTimeOffset.MaxValue;
        }

        while (true)
        {
            (UniqueAddress From, object Message) next;
            ITransportHandler handler;
            lock (_gate)
            {
                if (_stopped || _handler is null || !_inbox.TryPeek(out next, out var due) || due.At > _network.Time.GetUtcNow())
                {
                    _draining = false;
                    ArmLocked();
                    return;
                }

                _inbox.Dequeue();
                handler = _handler;
                if (next.Message is Refusal dequeued)
                {
                    _pendingRefusals.Remove(dequeued.Peer);
                }
            }

            try
            {
                if (next.Message is Refusal refusal)
                {
                    handler.OnConnectionRefused(refusal.Peer);
                }
                else
                {
                    handler.OnMessage(next.From, next.Message);
                }
            }
            catch
            {
                // A failing handler must not wedge the inbox: later messages still get their turn.
                lock (_gate)
                {
                    _draining = false;
                    ArmLocked();
                }

                throw;
            }
        }
    }

    private void ArmLocked()
    {
        if (_stopped || _timer is null || _draining || !_inbox.TryPeek(out _, out var due) || due.At >= _armedFor)
        {
            return;
        }

        _armedFor = due.At;
        var wait = due.At - _network.Time.GetUtcNow();
        _timer.Change(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    /// <summary>An inbox entry that is not a message: the network refused a connection from this node to <c>Peer</c>.</summary>
    private sealed record Refusal(NodeAddress Peer);
}
