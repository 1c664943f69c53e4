using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.TestKit;

/// <summary>A <see cref="ClusterSimulation"/> whose nodes run sharding over in-memory sessions, with the single-writer
/// invariants checked after every step and a ledger of every command's outcome.</summary>
/// <remarks>
/// <para>Invariants: (1) at any moment at most one running node serves a shard; (2) no two nodes ever serve the same
/// shard under the same epoch. The ledger records, per session, the values acknowledged increments returned and how
/// many increments had an unknown outcome (answered "may have applied", or never answered), so
/// <see cref="VerifySessions"/> can prove that no acknowledged command was lost or applied twice: a counter must be at
/// least its acknowledged increments and at most those plus the unknown ones.</para>
/// <para>Crashes: with replication (replication-factor 2 or more) a crashed home's sessions are not written off: every
/// acknowledged increment must survive the crash of as many nodes as the write consistency waits for (any
/// replication-factor - 1 with <c>all</c>; one with <c>one</c>, provided the backup that acknowledged is the one
/// promoted, which holds for replication-factor 2; none with <c>local</c>, whose losses <see cref="CheckSessions"/>
/// reports). With replication-factor 1 there is no copy, so a crashed node's shards are counted lost
/// (<see cref="LoseShardsOf"/>).</para>
/// </remarks>
public sealed partial class ShardedSimulation
{
    private const string Counter = "n";
    private const string Written = "s";
    private readonly Dictionary<(int Shard, long Epoch), NodeAddress> _servedUnder = [];
    private readonly List<SimulatedShardHost> _hosts = [];
    private readonly Dictionary<SessionId, SessionLedger> _ledger = [];
    private readonly HashSet<int> _lostShards = [];
    private readonly HashSet<NodeAddress> _outOfRotation = [];
    private readonly Random _random;
    private ulong _lastOperationId;
    private readonly Random _faultRandom;

    /// <param name="simulation">The cluster the nodes run in.</param>
    /// <param name="settings">Sharding settings of every node.</param>
    /// <param name="replication">Replication settings of every node; production's defaults (replication-factor 2,
    /// write consistency one) if null.</param>
    public ShardedSimulation(ClusterSimulation simulation, ShardingSettings settings, ReplicationSettings? replication = null)
    {
        ArgumentNullException.ThrowIfNull(simulation);
        Simulation = simulation;
        Settings = settings;
        Replication = replication ?? ReplicationSettings.Default;
        SessionSettings = SessionClusterSettings.Default.Sessions with { MaxInactiveInterval = TimeSpan.Zero };
        _random = new Random(simulation.Seed);
        _faultRandom = new Random(~simulation.Seed);
        simulation.AddInvariant(CheckSingleWriter);
    }

    public ClusterSimulation Simulation { get; }

    public ShardingSettings Settings { get; }

    public SessionSettings SessionSettings { get; }

    public ReplicationSettings Replication { get; }

    /// <summary>Probability (0–1) that a protocol message (anything but a command and its answer, which the transport
    /// delivers at most once) arrives a second time, within the network's transit times: the sharding and replica
    /// protocols must take repeats, in any order.</summary>
    public double DuplicateRate { get; set; }

    /// <summary>Protocol messages delivered a second time so far (see <see cref="DuplicateRate"/>).</summary>
    public int Duplicated { get; private set; }

    /// <summary>Hosts whose node is running.</summary>
    public IReadOnlyList<SimulatedShardHost> Running => [.. _hosts.Where(host => host.IsRunning)];

    /// <summary>Requests answered with 503 (<see cref="ShardUnavailable"/>) so far, with the virtual time and reason.</summary>
    public List<string> Unavailable { get; } = [];

    /// <summary>Requests answered with anything but success or 503 so far.</summary>
    public List<string> Errors { get; } = [];

    /// <summary>Requests sent and not yet answered.</summary>
    public int InFlight { get; private set; }

    /// <summary>Shards whose sessions were written off (see <see cref="LoseShardsOf"/>).</summary>
    public IReadOnlyCollection<int> LostShards => _lostShards;

    /// <summary>Sessions created and acknowledged.</summary>
    public IReadOnlyCollection<SessionId> Sessions => _ledger.Keys;

    public SimulatedShardHost this[NodeAddress address] => _hosts.Last(host => host.Node.Address.Equals(address));

    /// <summary>Starts a node with sharding; <paramref name="role"/> is worker (hosts shards) or front (routes only).</summary>
    /// <param name="index">The node's number (its address is <see cref="ClusterSimulation.AddressOf"/>).</param>
    /// <param name="role">worker or front.</param>
    /// <param name="settings">This node's sharding settings (its capacity weight, say); the simulation's if null.</param>
    public async Task<SimulatedShardHost> StartAsync(int index, string role = "worker", ShardingSettings? settings = null)
    {
        SimulatedShardHost? host = null;
        await Simulation.StartAsync(
            ClusterSimulation.AddressOf(index),
            [ClusterSimulation.AddressOf(0)],
            [role],
            extension: node => host = new SimulatedShardHost(
                Simulation, node, settings ?? Settings, SessionSettings, hostsShards: role == "worker", Replication, DuplicateAfter));
        _hosts.Add(host!);
        return host!;
    }

    /// <summary>Creates <paramref name="count"/> sessions through random running nodes and waits for every one.</summary>
    public void CreateSessions(int count, TimeSpan timeout)
    {
        var created = 0;
        for (var i = 0; i < count; i++)
        {
            var id = NewId();
            Pick().Submit(new CreateSession(id), reply =>
            {
                if (reply is SessionSnapshot)
                {
                    _ledger[id] = new SessionLedger();
                    created++;
                }
                else
                {
                    Errors.Add($"create {id}: {reply}");
                }
            });
        }

        Simulation.RunUntil(() => created + Errors.Count >= count, timeout, $"{count} sessions created");
        if (Errors.Count > 0)
        {
            throw new InvalidOperationException($"Creating sessions failed: {string.Join("; ", Errors.Take(5))}");
        }
    }

    /// <summary>Sends <paramref name="perStep"/> increments to random sessions through random nodes every
    /// <paramref name="interval"/> of virtual time, until the returned handle is disposed.</summary>
    public IDisposable RunLoad(int perStep, TimeSpan interval) =>
        Simulation.Clock.CreateTimer(_ => IncrementSome(perStep), null, interval, interval);

    /// <summary>Crashes a node (kill -9). Without replication the sessions of its shards die with it (see
    /// <see cref="LoseShardsOf"/>); with it, they must survive on the backups.</summary>
    public void Crash(NodeAddress address)
    {
        if (Replication.ReplicationFactor == 1)
        {
            LoseShardsOf(address);
        }

        Simulation.Crash(address);
    }

    /// <summary>Counts the sessions of the shards a node holds now as lost (it is about to crash or be cut off and
    /// downed): they are left out of <see cref="VerifySessions"/> and of further load.</summary>
    public void LoseShardsOf(NodeAddress address)
    {
        foreach (var shard in this[address].HostedShards)
        {
            _lostShards.Add(shard);
        }
    }

    /// <summary>Like <see cref="CreateSessions"/>, but a creation that gets no answer (a lossy network) is tried again
    /// under a new id, as a browser would reload; only acknowledged sessions enter the ledger.</summary>
    public void CreateSessionsRetrying(int count, TimeSpan timeout)
    {
        var created = 0;
        void Attempt()
        {
            var id = NewId();
            Pick().Submit(new CreateSession(id), reply =>
            {
                if (reply is SessionSnapshot)
                {
                    _ledger[id] = new SessionLedger();
                    created++;
                }
                else
                {
                    Attempt();
                }
            });
        }

        for (var i = 0; i < count; i++)
        {
            Attempt();
        }

        Simulation.RunUntil(() => created >= count, timeout, $"{count} sessions created");
    }

    /// <summary>The running node whose coordinator holds the post (reign active).</summary>
    public SimulatedShardHost ActiveCoordinator => Running.Single(host => host.Coordinator?.Phase == CoordinatorPhase.Active);

    /// <summary>Creates sessions (see <see cref="CreateSessions"/>), then waits until the allocation has settled.</summary>
    public void CreateSessionsAndSettle(int count, TimeSpan timeout)
    {
        CreateSessions(count, timeout);
        Simulation.RunUntil(IsSettled, timeout, "initial allocation settled");
    }

    /// <summary>A graceful leave as a node's SIGTERM does it: out of the load's rotation, drain every shard, leave,
    /// and wait until it is gone and the allocation has settled again.</summary>
    public void DrainAndLeave(NodeAddress address, TimeSpan timeout)
    {
        TakeOutOfRotation(address);
        this[address].Drain();
        Simulation.RunUntil(() => this[address].Region.HoldsNothing, timeout, $"{address} drained");
        Simulation.Leave(address);
        Simulation.RunUntil(() => !this[address].IsRunning && IsSettled(), timeout, $"{address} left and the allocation settled");
    }

    /// <summary>Waits until every request sent has been answered.</summary>
    public void WaitForAnswers(TimeSpan timeout) => Simulation.RunUntil(() => InFlight == 0, timeout, "every request answered");

    /// <summary>True if every worker but <paramref name="excluded"/> serves a number of shards in <paramref name="accepted"/>.</summary>
    public bool WorkersServe(Func<int, bool> accepted, params NodeAddress[] excluded) =>
        ShardCounts().Where(count => !excluded.Contains(count.Key)).All(count => accepted(count.Value));

    /// <summary>True when every running worker's coordinator agrees there is nothing moving and every allocated shard is
    /// served by exactly the node the table says.</summary>
    public bool IsSettled()
    {
        var coordinator = Running.Select(host => host.Coordinator).FirstOrDefault(c => c?.Phase == CoordinatorPhase.Active);
        if (coordinator is null || coordinator.Moving.Count > 0)
        {
            return false;
        }

        foreach (var (shard, home) in coordinator.Table)
        {
            var servers = Running.Where(host => host.Region.IsServing(shard)).ToList();
            if (servers.Count != 1 || !servers[0].Node.Self.Equals(home.Home))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Shards served per running node.</summary>
    public Dictionary<NodeAddress, int> ShardCounts() =>
        Running.ToDictionary(host => host.Node.Address, host => Enumerable.Range(0, Settings.NumberOfShards).Count(host.Region.IsServing));

    /// <summary>True when the replication factor holds everywhere: the allocation has settled, and every shard has as
    /// many backups as replication-factor - 1 (or as there are other workers), each holding a whole copy under the
    /// shard's current epoch, with no copy still being sent.</summary>
    public bool IsReplicated()
    {
        if (!IsSettled())
        {
            return false;
        }

        var workers = Running.Count(host => host.Replicas is not null);
        var backups = Math.Min(Replication.Backups, workers - 1);
        foreach (var (shard, placement) in ActiveCoordinator.Coordinator!.Table)
        {
            if (placement.Backups.Length != backups || placement.Synced.Length != backups)
            {
                return false;
            }

            foreach (var backup in placement.Backups)
            {
                if (!_hosts.Any(host => host.IsRunning && host.Node.Self.Equals(backup) &&
                                        host.Region.HeldShards.Contains(new HostedShard(shard, placement.Epoch, HostedShardStatus.SyncedBackup))))
                {
                    return false;
                }
            }
        }

        return Running.All(host => host.CopiesInFlight == 0);
    }

    /// <summary>When a protocol message should arrive once more (see <see cref="DuplicateRate"/>), or null.</summary>
    private TimeSpan? DuplicateAfter(object message)
    {
        if (DuplicateRate <= 0 || _faultRandom.NextDouble() >= DuplicateRate)
        {
            return null;
        }

        Duplicated++;
        var faults = Simulation.DefaultFaults;
        return faults.MinDelay + ((faults.MaxDelay - faults.MinDelay) * _faultRandom.NextDouble());
    }

    /// <summary>A session id drawn from the seed, so that a run (which shards the sessions fall in) is reproducible.</summary>
    private SessionId NewId() => new(new UInt128((ulong)_random.NextInt64(), (ulong)_random.NextInt64()));

    /// <summary>Stops sending new requests through a node, as a load balancer does for a node being drained.</summary>
    public void TakeOutOfRotation(NodeAddress address) => _outOfRotation.Add(address);

    private SimulatedShardHost Pick()
    {
        var running = Running.Where(host => !_outOfRotation.Contains(host.Node.Address)).ToList();
        return running[_random.Next(running.Count)];
    }

    private string? CheckSingleWriter()
    {
        for (var shard = 0; shard < Settings.NumberOfShards; shard++)
        {
            SimulatedShardHost? server = null;
            foreach (var host in _hosts)
            {
                if (!host.IsRunning || !host.Region.IsServing(shard))
                {
                    continue;
                }

                if (server is not null)
                {
                    return $"shard {shard} is served by {server.Node.Self} and {host.Node.Self} at once";
                }

                server = host;
                var epoch = host.Region.HomeOf(shard).Epoch;
                if (_servedUnder.TryGetValue((shard, epoch), out var first) && !first.Equals(host.Node.Address))
                {
                    return $"shard {shard} epoch {epoch} was served by {first} and now by {host.Node.Self}";
                }

                _servedUnder[(shard, epoch)] = host.Node.Address;
            }
        }

        return null;
    }
}
