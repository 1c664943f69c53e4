using System.Text;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.TestKit;

/// <summary>N membership nodes in one process on one thread, on a manual clock and an in-memory network, with the
/// membership invariants checked after every step.</summary>
/// <remarks>
/// Everything random comes from the seed (the network's faults, uids, tick phases, each node's gossip choices), so a
/// run is reproducible: every failure message starts with the seed. <see cref="RunUntil"/> advances virtual time in
/// <see cref="StepSize"/> steps; messages and ticks due within a step are delivered inside it, in time order.
/// Invariants (see <see cref="MembershipInvariants"/>) are checked after each step, and a violation fails the run.
/// </remarks>
public sealed class ClusterSimulation
{
    private const int TraceLines = 300;

    private readonly Random _random;
    private readonly List<SimulatedNode> _nodes = [];
    private readonly Queue<string> _trace = new();
    private readonly MembershipInvariants _invariants = new();
    private readonly List<Func<string?>> _extraInvariants = [];
    private readonly DateTimeOffset _start;

    public ClusterSimulation(int seed, ClusterSettings? settings = null, LinkFaults? defaultFaults = null)
    {
        Seed = seed;
        _random = new Random(seed);
        Clock = new ManualTimeProvider();
        _start = Clock.GetUtcNow();
        Network = new InMemoryNetwork(Clock, seed);
        DefaultFaults = defaultFaults ?? LinkFaults.None with { MinDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(2) };
        Network.SetDefaultFaults(DefaultFaults);
        Settings = settings ?? ClusterSettings.Default;
    }

    public int Seed { get; }

    public ManualTimeProvider Clock { get; }

    public InMemoryNetwork Network { get; }

    /// <summary>Faults of every link without faults of its own (by default 1–2 ms of transit, so messages reorder).</summary>
    public LinkFaults DefaultFaults { get; }

    /// <summary>Settings for nodes started without their own.</summary>
    public ClusterSettings Settings { get; }

    /// <summary>How far <see cref="RunUntil"/> and <see cref="RunFor"/> advance between invariant checks.</summary>
    public TimeSpan StepSize { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Virtual time since the simulation began.</summary>
    public TimeSpan Elapsed => Clock.GetUtcNow() - _start;

    /// <summary>Every incarnation ever started, in start order.</summary>
    public IReadOnlyList<SimulatedNode> AllIncarnations => _nodes;

    /// <summary>Incarnations neither crashed nor shut down.</summary>
    public IReadOnlyList<SimulatedNode> Running => [.. _nodes.Where(node => node.IsRunning)];

    /// <summary>Gossip rounds started by all incarnations (each is one gossip message on a node's own cadence).</summary>
    public long GossipRounds => _nodes.Sum(node => node.Machine.GossipRounds);

    /// <summary>The latest incarnation on <paramref name="address"/>.</summary>
    public SimulatedNode this[NodeAddress address] => _nodes.Last(node => node.Address.Equals(address));

    /// <summary>A conventional address for node <paramref name="index"/>: <c>node-{index:D2}:4000</c>.</summary>
    public static NodeAddress AddressOf(int index) => new($"node-{index:D2}", 4000);

    /// <summary>Starts a new incarnation on <paramref name="address"/>; a running one there is crashed first.</summary>
    /// <param name="address">Where the node listens.</param>
    /// <param name="seeds">Its seed nodes; the simulation's settings' seeds if null.</param>
    /// <param name="roles">Its roles; worker if null.</param>
    /// <param name="settings">Its settings; the simulation's if null.</param>
    /// <param name="extension">Builds what runs on the node besides membership, before it starts.</param>
    public async Task<SimulatedNode> StartAsync(
        NodeAddress address,
        IReadOnlyList<NodeAddress>? seeds = null,
        IEnumerable<string>? roles = null,
        ClusterSettings? settings = null,
        Func<SimulatedNode, ISimulatedExtension>? extension = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (_nodes.LastOrDefault(node => node.Address.Equals(address)) is { IsRunning: true })
        {
            Crash(address);
        }

        var nodeSettings = (settings ?? Settings) with { SeedNodes = seeds ?? (settings ?? Settings).SeedNodes };
        var uid = _random.NextInt64(1, long.MaxValue);
        var transport = Network.CreateTransport(address, uid);
        var machine = new MembershipNode(transport.Self, nodeSettings, roles ?? ["worker"], new Random(_random.Next()));
        var node = new SimulatedNode(this, machine, transport);
        node.Extension = extension?.Invoke(node);
        _nodes.Add(node);
        await transport.StartAsync(node, CancellationToken.None);
        Record(node, $"started (seeds: {string.Join(", ", nodeSettings.SeedNodes)})");
        node.Start(TimeSpan.FromTicks(_random.NextInt64(nodeSettings.TickInterval.Ticks)));
        return node;
    }

    /// <summary>Starts <paramref name="count"/> nodes <c>node-00</c>... with the first <paramref name="seedCount"/> as seeds.</summary>
    public async Task<IReadOnlyList<SimulatedNode>> StartClusterAsync(int count, int seedCount = 1)
    {
        var seeds = Enumerable.Range(0, seedCount).Select(AddressOf).ToList();
        var nodes = new List<SimulatedNode>();
        for (var i = 0; i < count; i++)
        {
            nodes.Add(await StartAsync(AddressOf(i), seeds));
        }

        return nodes;
    }

    /// <summary>Kills the running incarnation on <paramref name="address"/> at once (kill -9): no goodbye. Its host stays
    /// up, so from then on a message to the address meets a refused connection.</summary>
    public void Crash(NodeAddress address)
    {
        var node = this[address];
        Network.Crash(address);
        node.MarkCrashed();
        Record(node, "crashed");
    }

    /// <summary>Kills the node on <paramref name="address"/> with its host (power lost, cable pulled): its links to every
    /// other node go silent before the process dies, so peers never get a refused connection, only silence.</summary>
    public void CrashHost(NodeAddress address)
    {
        Network.Partition([address], [.. _nodes.Select(node => node.Address).Where(other => !other.Equals(address)).Distinct()]);
        Crash(address);
    }

    public void Partition(IReadOnlyCollection<NodeAddress> sideA, IReadOnlyCollection<NodeAddress> sideB)
    {
        Network.Partition(sideA, sideB);
        Trace($"partition [{string.Join(", ", sideA)}] | [{string.Join(", ", sideB)}]");
    }

    /// <summary>Reopens the links between the two sides only (both ways), leaving other cuts in place.</summary>
    public void Reconnect(IReadOnlyCollection<NodeAddress> sideA, IReadOnlyCollection<NodeAddress> sideB)
    {
        foreach (var a in sideA)
        {
            foreach (var b in sideB)
            {
                Network.SetFaults(a, b, DefaultFaults);
                Network.SetFaults(b, a, DefaultFaults);
            }
        }

        Trace($"reconnect [{string.Join(", ", sideA)}] | [{string.Join(", ", sideB)}]");
    }

    /// <summary>Reopens every cut link.</summary>
    public void Heal()
    {
        Network.Heal();
        Trace("heal");
    }

    /// <summary>Graceful leave of the node on <paramref name="address"/>.</summary>
    public void Leave(NodeAddress address) => this[address].Invoke(now => this[address].Machine.Leave(now));

    /// <summary>An operator on <paramref name="on"/> downs <paramref name="target"/>.</summary>
    public void Down(NodeAddress on, NodeAddress target) => this[on].Invoke(now => this[on].Machine.Down(target, now));

    /// <summary>Advances virtual time by <paramref name="duration"/>, checking invariants after every step.</summary>
    public void RunFor(TimeSpan duration)
    {
        var end = Elapsed + duration;
        while (Elapsed < end)
        {
            Advance(Min(StepSize, end - Elapsed));
        }
    }

    /// <summary>Advances until <paramref name="condition"/> holds; returns the virtual time it took. Fails with the
    /// seed, <paramref name="description"/>, every node's view and the recent trace if it does not hold within
    /// <paramref name="timeout"/>.</summary>
    public TimeSpan RunUntil(Func<bool> condition, TimeSpan timeout, string description)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var began = Elapsed;
        while (!condition())
        {
            if (Elapsed - began >= timeout)
            {
                throw Failure($"timed out after {timeout.TotalSeconds:0.###} s of virtual time waiting for: {description}");
            }

            Advance(StepSize);
        }

        return Elapsed - began;
    }

    /// <summary>Checks the invariants now (they are also checked after every step).</summary>
    public void CheckInvariants()
    {
        if (_invariants.Check(_nodes) is { } violation)
        {
            throw Failure("invariant violated: " + violation);
        }

        foreach (var invariant in _extraInvariants)
        {
            if (invariant() is { } broken)
            {
                throw Failure("invariant violated: " + broken);
            }
        }
    }

    /// <summary>Adds a check run after every step with the membership invariants; it returns a violation or null.</summary>
    public void AddInvariant(Func<string?> check) => _extraInvariants.Add(check);

    /// <summary>Records a line in the trace that failures print.</summary>
    public void Note(string line) => Trace(line);

    /// <summary>Every incarnation's state, one per line.</summary>
    public string Describe() => string.Join(Environment.NewLine, _nodes.Select(node => "  " + node));

    internal void Record(SimulatedNode node, string line) => Trace($"{node.Self}: {line}");

    private void Trace(string line)
    {
        _trace.Enqueue($"[{Elapsed.TotalMilliseconds,9:0}ms] {line}");
        while (_trace.Count > TraceLines)
        {
            _trace.Dequeue();
        }
    }

    private void Advance(TimeSpan step)
    {
        Clock.Advance(step);
        CheckInvariants();
    }

    private SimulationFailedException Failure(string reason)
    {
        var text = new StringBuilder()
            .AppendLine($"Simulation with seed {Seed} failed at {Elapsed.TotalMilliseconds:0} ms virtual time: {reason}")
            .AppendLine("Nodes:")
            .AppendLine(Describe())
            .AppendLine("Recent events:");
        foreach (var line in _trace)
        {
            text.AppendLine("  " + line);
        }

        return new SimulationFailedException(Seed, text.ToString());
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
