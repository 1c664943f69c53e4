using System.Collections.Immutable;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Sharding;

/// <summary>The singleton that decides where shards live, as a pure state machine: allocation, rebalancing, hand-off
/// supervision, and rebuilding its table when it takes the post.</summary>
/// <remarks>
/// <para><b>Design: the table is rebuilt, not replicated.</b> Every worker runs one of these, idle unless it is the
/// oldest Up worker (<see cref="CoordinatorPlacement"/>). On taking the post it starts a new reign: it asks every
/// region what it holds (<see cref="QueryRegion"/>) and waits for every worker that is still a member to answer. The
/// regions are the truth: a shard is served only where a region says so, so a table rebuilt from their answers cannot
/// be staler than the shards themselves, whereas a replicated table can (a write to it can be lost with the old
/// coordinator, the shard moving anyway). The wait is bounded by membership: a worker that cannot answer is
/// unreachable and will be downed and removed by the split-brain resolver, and the rebuild finishes without it.
/// Meanwhile regions keep serving from what they cached, and only requests for shards whose home they do not know
/// wait. A region answering the query also switches its allegiance to the new reign and ignores decisions of older
/// ones still in flight, so two coordinators never both steer one region.</para>
/// <para><b>Rebuild rules</b>, per shard: a region serving it keeps it; else a region that received all of it in an
/// unfinished move gets it; else a region that was handing it off gets it back; else a region with part of it;
/// else it is unallocated until first asked for. Every rebuilt or new allocation takes an epoch above anything any
/// region has seen, so a region can always tell a newer decision from an older one.</para>
/// <para><b>Moves</b>: the coordinator tells the old home to hand the shard to the new one under a new epoch; the old
/// home stops serving, collects every session and sends them; the new home acknowledges to the coordinator, which
/// then confirms the new home to every region. Until that confirmation the new home does not serve and the old one
/// keeps the sessions. If no acknowledgement arrives within the hand-off timeout the coordinator gives the shard back
/// to its old home under a newer epoch; the new home, never confirmed, discards what it got. There is one decider, so
/// there are never two live owners.</para>
/// <para><b>Backups</b> never leave a shard with fewer whole copies than it had, short of a crash: a whole backup on a
/// region that drains or leaves stays until its replacement is whole (make before break), and when a shard moves onto
/// one of its backups the old home, which holds everything it handed over, takes that backup's place, already whole.
/// A home that dies is replaced by a surviving backup, a whole one first.</para>
/// </remarks>
public sealed partial class ShardCoordinator
{
    // The whole table goes to every region this many retry intervals apart (5 s by default).
    private const int FullBroadcastEvery = 10;

    private readonly ShardingSettings _settings;
    private readonly int _backupsPerShard;
    private readonly LeastShardAllocationStrategy _strategy;
    private readonly Dictionary<UniqueAddress, RegionEntry> _regions = [];
    private readonly Dictionary<UniqueAddress, Member> _members = [];
    private readonly HashSet<UniqueAddress> _awaiting = [];
    private readonly Dictionary<UniqueAddress, RegionReport> _reports = [];
    private readonly Dictionary<int, ShardPlacement> _table = [];
    private readonly Dictionary<int, Move> _moves = [];
    private readonly EffectBuffer _effects = new();
    private long _nextEpoch = 1;
    private DateTimeOffset _lastQuery = DateTimeOffset.MinValue;
    private DateTimeOffset _lastRebalance = DateTimeOffset.MinValue;
    private DateTimeOffset _lastFullBroadcast = DateTimeOffset.MinValue;
    private bool _allReachable;

    /// <param name="self">This node.</param>
    /// <param name="settings">Sharding settings.</param>
    /// <param name="backupsPerShard">Copies of each shard besides the home's (replication-factor - 1).</param>
    public ShardCoordinator(UniqueAddress self, ShardingSettings settings, int backupsPerShard = 0)
    {
        ArgumentNullException.ThrowIfNull(self);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfNegative(backupsPerShard);
        Self = self;
        _settings = settings;
        _backupsPerShard = backupsPerShard;
        _strategy = new LeastShardAllocationStrategy(settings.RebalanceAbsoluteLimit, settings.RebalanceRelativeLimit);
    }

    public UniqueAddress Self { get; }

    public CoordinatorPhase Phase { get; private set; }

    /// <summary>The current reign's number; increases every time this node takes the post.</summary>
    public long Reign { get; private set; }

    /// <summary>Every allocated shard: its home, backups and epoch (empty unless <see cref="CoordinatorPhase.Active"/>).</summary>
    public IReadOnlyDictionary<int, ShardPlacement> Table => _table;

    /// <summary>Shards in motion, with their destination.</summary>
    public IReadOnlyDictionary<int, UniqueAddress> Moving => _moves.ToDictionary(entry => entry.Key, entry => entry.Value.To);

    /// <summary>This node's membership view changed: take or give up the post, forget departed regions.</summary>
    public IReadOnlyList<ShardingEffect> MembershipChanged(CurrentClusterState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        _members.Clear();
        foreach (var member in state.Members)
        {
            // Down members stay until Removed: a downed node on the other side of a partition may still be serving
            // until it learns its fate, and the removal margin exists so that it has stopped before its shards move.
            if (member.Status != MemberStatus.Removed)
            {
                _members[member.UniqueAddress] = member;
            }
        }

        // Moves wait while a member is unreachable: its region could not take part, and it may be about to be downed.
        _allReachable = state.Unreachable.IsEmpty;
        var isCoordinator = Self.Equals(CoordinatorPlacement.Choose(state.Members));
        if (isCoordinator && Phase == CoordinatorPhase.Idle)
        {
            BeginReign(now);
        }
        else if (!isCoordinator && Phase != CoordinatorPhase.Idle)
        {
            Resign();
        }
        else if (Phase != CoordinatorPhase.Idle)
        {
            ForgetDepartedRegions(now);
        }

        return Flush();
    }

    /// <summary>A message from a region.</summary>
    public IReadOnlyList<ShardingEffect> Receive(UniqueAddress from, object message, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(message);
        if (Phase == CoordinatorPhase.Idle || !_members.ContainsKey(from))
        {
            return [];
        }

        switch (message)
        {
            case RegisterRegion:
                _effects.Add(new SendToNode(from.Address, new QueryRegion(Reign)));
                break;
            case RegionReport report when report.Reign == Reign:
                OnReport(from, report, now);
                break;
            case GetShardHome get when Phase == CoordinatorPhase.Active && (uint)get.Shard < (uint)_settings.NumberOfShards:
                if (_regions.ContainsKey(from))
                {
                    OnGetShardHome(from, get.Shard);
                }
                else
                {
                    // Its report never arrived (lost): ask for it again rather than answer, since a region takes any
                    // table from the reign it follows as proof that it is registered and would stop registering.
                    _effects.Add(new SendToNode(from.Address, new QueryRegion(Reign)));
                }

                break;
            case ShardReceived received when received.Reign == Reign && Phase == CoordinatorPhase.Active:
                OnShardReceived(from, received, now);
                break;
            case BackupSynced synced when synced.Reign == Reign && Phase == CoordinatorPhase.Active:
                OnBackupSynced(from, synced);
                break;
            case DrainRegion drain when _regions.TryGetValue(from, out var region):
                var started = drain.Draining && !region.Draining;
                region.Draining = drain.Draining;
                if (started)
                {
                    // Start emptying it now, not at the next round: a node stopped with SIGTERM waits for this. (The
                    // region repeats the request until it holds nothing; a repeat changes nothing.)
                    RebalanceAtOnce(now);
                }

                break;
            case RegionWeightChanged changed when _regions.TryGetValue(from, out var weighed) && weighed.HostsShards:
                OnWeightChanged(weighed, changed.Weight, now);
                break;
        }

        return Flush();
    }

    /// <summary>Periodic work: re-query silent regions, re-send hand-off orders, time moves out, rebalance.</summary>
    public IReadOnlyList<ShardingEffect> Tick(DateTimeOffset now)
    {
        switch (Phase)
        {
            case CoordinatorPhase.Rebuilding when now - _lastQuery >= _settings.RetryInterval:
                foreach (var region in _awaiting)
                {
                    _effects.Add(new SendToNode(region.Address, new QueryRegion(Reign)));
                }

                _lastQuery = now;
                break;
            case CoordinatorPhase.Active:
                SuperviseMoves(now);
                AllocateHomeless();
                AssignBackups();
                if (now - _lastFullBroadcast >= _settings.RetryInterval * FullBroadcastEvery)
                {
                    // Anti-entropy: a region that missed an allocation (a lost message) learns it within a few seconds
                    // even if no request of its own ever asks.
                    _lastFullBroadcast = now;
                    Broadcast([.. _table.Keys]);
                }
                if (now - _lastRebalance >= _settings.RebalanceInterval)
                {
                    _lastRebalance = now;
                    if (_allReachable)
                    {
                        Rebalance(now);
                    }
                }

                break;
        }

        return Flush();
    }

    /// <summary>An operator asked for a rebalance round now rather than at the next interval. False (and nothing
    /// done) unless this node is the active coordinator; a round while a member is unreachable moves nothing, as usual.</summary>
    public bool RebalanceNow(DateTimeOffset now, out IReadOnlyList<ShardingEffect> effects)
    {
        if (Phase != CoordinatorPhase.Active)
        {
            effects = [];
            return false;
        }

        RebalanceAtOnce(now);
        effects = Flush();
        return true;
    }

    /// <summary>Every region of this reign with its weight and its counts in the table (empty unless active).</summary>
    public IReadOnlyList<RegionSummary> Regions()
    {
        var homes = new Dictionary<UniqueAddress, int>();
        var backups = new Dictionary<UniqueAddress, int>();
        foreach (var placement in _table.Values)
        {
            homes[placement.Home] = homes.GetValueOrDefault(placement.Home) + 1;
            foreach (var backup in placement.Backups)
            {
                backups[backup] = backups.GetValueOrDefault(backup) + 1;
            }
        }

        return [.. _regions
            .OrderBy(entry => entry.Key)
            .Select(entry => new RegionSummary(
                entry.Key.Address,
                entry.Value.HostsShards,
                entry.Value.Weight,
                entry.Value.HostsShards && EffectiveWeight(entry.Key, entry.Value) == 0,
                homes.GetValueOrDefault(entry.Key),
                backups.GetValueOrDefault(entry.Key)))];
    }

    private IReadOnlyList<ShardingEffect> Flush() => _effects.Drain();

    /// <summary>A region's weight changed: rebalance by it at once, so that an operator sees shards move without
    /// waiting for the next round (and a weight of 0 starts emptying the region now).</summary>
    private void OnWeightChanged(RegionEntry region, double weight, DateTimeOffset now)
    {
        if (region.Weight.Equals(weight))
        {
            return;
        }

        region.Weight = weight;
        RebalanceAtOnce(now);
    }

    /// <summary>A rebalance round now (when active and every member is reachable), counted as the interval's round.</summary>
    private void RebalanceAtOnce(DateTimeOffset now)
    {
        if (Phase == CoordinatorPhase.Active && _allReachable)
        {
            _lastRebalance = now;
            Rebalance(now);
        }
    }

    /// <summary>A region that answered this reign's query.</summary>
    private sealed class RegionEntry(bool hostsShards, double weight)
    {
        public bool HostsShards { get; } = hostsShards;

        public double Weight { get; set; } = weight;

        public bool Draining { get; set; }
    }

    /// <summary>A shard in motion from one region to another under a new epoch.</summary>
    private sealed class Move(UniqueAddress from, UniqueAddress to, long epoch, DateTimeOffset deadline)
    {
        public UniqueAddress From { get; } = from;

        public UniqueAddress To { get; } = to;

        public long Epoch { get; } = epoch;

        public DateTimeOffset Deadline { get; } = deadline;

        public DateTimeOffset LastSent { get; set; }
    }
}

/// <summary>Where a <see cref="ShardCoordinator"/> is in its reign.</summary>
public enum CoordinatorPhase
{
    /// <summary>Not the coordinator.</summary>
    Idle,

    /// <summary>The coordinator, waiting for every worker region's report before deciding anything.</summary>
    Rebuilding,

    /// <summary>The coordinator, deciding.</summary>
    Active,
}
