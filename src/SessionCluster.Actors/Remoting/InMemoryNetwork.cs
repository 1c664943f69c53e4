namespace SessionCluster.Actors.Remoting;

/// <summary>A network inside one process whose links can lose, duplicate, delay, reorder and cut messages.</summary>
/// <remarks>
/// Transit times come from the injected <see cref="TimeProvider"/> and randomness from a seeded <see cref="Random"/>,
/// so on a manual clock a whole cluster's traffic is reproducible from the seed: the same seed and the same sends
/// give the same deliveries in the same order. Faults are set per direction of a link; a partition is a set of
/// blocked links. A message into a partition is lost silently, as into a black hole. A message to an address with no
/// live transport (crashed, stopped) is lost too, but the sender's transport then reports the connection refused,
/// after the link's least transit time: as TCP does when the host is up but the process on the port is gone. So
/// simulations tell a crashed process from a partitioned one, as the real transport lets the membership do.
/// </remarks>
public sealed class InMemoryNetwork
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly Dictionary<NodeAddress, InMemoryTransport> _nodes = [];
    private readonly Dictionary<(NodeAddress From, NodeAddress To), LinkFaults> _links = [];
    private LinkFaults _defaultFaults = LinkFaults.None;
    private long _sequence;

    public InMemoryNetwork(TimeProvider time, int seed)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _random = new Random(seed);
    }

    public TimeProvider Time => _time;

    /// <summary>Messages handed to the network.</summary>
    public long Sent { get; private set; }

    /// <summary>Messages lost to faults, partitions or absent receivers.</summary>
    public long Dropped { get; private set; }

    /// <summary>Extra copies made by duplication faults.</summary>
    public long Duplicated { get; private set; }

    /// <summary>Creates the transport of a node; a new incarnation on an address replaces the old one, which stops.</summary>
    public InMemoryTransport CreateTransport(NodeAddress address, long uid)
    {
        ArgumentNullException.ThrowIfNull(address);
        var transport = new InMemoryTransport(this, new UniqueAddress(address, uid));
        InMemoryTransport? previous;
        lock (_gate)
        {
            _nodes.TryGetValue(address, out previous);
            _nodes[address] = transport;
        }

        previous?.Stop();
        return transport;
    }

    /// <summary>Faults for every link that has none of its own.</summary>
    public void SetDefaultFaults(LinkFaults faults)
    {
        lock (_gate)
        {
            _defaultFaults = faults;
        }
    }

    /// <summary>Faults for messages from <paramref name="from"/> to <paramref name="to"/> (one direction).</summary>
    public void SetFaults(NodeAddress from, NodeAddress to, LinkFaults faults)
    {
        lock (_gate)
        {
            _links[(from, to)] = faults;
        }
    }

    /// <summary>Cuts every link between the two sides, both ways.</summary>
    public void Partition(IReadOnlyCollection<NodeAddress> sideA, IReadOnlyCollection<NodeAddress> sideB)
    {
        PartitionOneWay(sideA, sideB);
        PartitionOneWay(sideB, sideA);
    }

    /// <summary>Cuts the links from every node of <paramref name="senders"/> to every node of <paramref name="receivers"/>.</summary>
    public void PartitionOneWay(IReadOnlyCollection<NodeAddress> senders, IReadOnlyCollection<NodeAddress> receivers)
    {
        lock (_gate)
        {
            foreach (var from in senders)
            {
                foreach (var to in receivers)
                {
                    _links[(from, to)] = FaultsOf(from, to) with { Blocked = true };
                }
            }
        }
    }

    /// <summary>Reopens every cut link; other faults stay.</summary>
    public void Heal()
    {
        lock (_gate)
        {
            foreach (var link in _links.Keys.ToList())
            {
                _links[link] = _links[link] with { Blocked = false };
            }
        }
    }

    /// <summary>Kills a node's transport at once: queued inbound messages are lost and it sends nothing more.</summary>
    public void Crash(NodeAddress address)
    {
        InMemoryTransport? transport;
        lock (_gate)
        {
            _nodes.Remove(address, out transport);
        }

        transport?.Stop();
    }

    internal bool Route(InMemoryTransport sender, NodeAddress to, object message)
    {
        lock (_gate)
        {
            if (!_nodes.TryGetValue(sender.Self.Address, out var current) || !ReferenceEquals(current, sender))
            {
                return false;
            }

            Sent++;
            var faults = FaultsOf(sender.Self.Address, to);
            var now = _time.GetUtcNow();
            InMemoryTransport? receiver = null;
            if (faults.Blocked || (_nodes.TryGetValue(to, out receiver) && faults.DropRate > 0 && _random.NextDouble() < faults.DropRate))
            {
                Dropped++;
                return true;
            }

            if (receiver is null)
            {
                Dropped++;
                sender.EnqueueRefusal(now + faults.MinDelay, ++_sequence, to);
                return true;
            }

            var copies = faults.DuplicateRate > 0 && _random.NextDouble() < faults.DuplicateRate ? 2 : 1;
            Duplicated += copies - 1;
            for (var copy = 0; copy < copies; copy++)
            {
                var delay = faults.Reorders
                    ? faults.MinDelay + (faults.MaxDelay - faults.MinDelay) * _random.NextDouble()
                    : faults.MinDelay;
                receiver.Enqueue(now + delay, ++_sequence, sender.Self, message);
            }

            return true;
        }
    }

    internal void Detach(InMemoryTransport transport)
    {
        lock (_gate)
        {
            if (_nodes.TryGetValue(transport.Self.Address, out var current) && ReferenceEquals(current, transport))
            {
                _nodes.Remove(transport.Self.Address);
            }
        }
    }

    private LinkFaults FaultsOf(NodeAddress from, NodeAddress to) => _links.TryGetValue((from, to), out var faults) ? faults : _defaultFaults;
}
