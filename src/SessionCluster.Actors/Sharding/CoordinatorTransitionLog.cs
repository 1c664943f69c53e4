using Microsoft.Extensions.Logging;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Sharding;

/// <summary>Logs every decision of an active <see cref="ShardCoordinator"/> as a structured line: shards allocated (one
/// line per home), hand-offs started (one line per old and new home each round), shards moved (one line per old and new
/// home once none is moving between them any more), a hand-off called off, backups promoted and shards reassigned after
/// their home left (one line per former and new home).</summary>
/// <remarks>The coordinator is a pure state machine and logs nothing; its host calls <see cref="Observe"/> after each
/// input, and this compares the table and the moves with what it saw last. About a hundred entries compared per input,
/// only on the coordinator's node and never on the request path.</remarks>
internal sealed partial class CoordinatorTransitionLog(ILogger logger)
{
    /// <summary>Moves between two nodes that are still going on after this long are logged as far as they got, so that a
    /// long drain shows progress.</summary>
    internal static readonly TimeSpan MovedLineAtLeastEvery = TimeSpan.FromSeconds(10);

    private readonly Dictionary<int, ShardPlacement> _table = [];
    private readonly Dictionary<int, UniqueAddress> _moving = [];

    // Moves confirmed and not logged yet, per old and new home: they are logged together once the last one between the
    // two is confirmed, or after MovedLineAtLeastEvery.
    private readonly SortedDictionary<(NodeAddress From, NodeAddress To), MovedGroup> _moved = [];
    private long _reign = -1;

    /// <summary>Logs what changed since the last call.</summary>
    public void Observe(ShardCoordinator coordinator, DateTimeOffset now)
    {
        if (coordinator.Phase != CoordinatorPhase.Active)
        {
            FlushMoved(static (_, _) => true);
            _reign = -1;
            return;
        }

        var table = coordinator.Table;
        var moving = coordinator.Moving;
        if (_reign != coordinator.Reign)
        {
            // A new reign: the rebuilt table is the starting point, logged once as a whole.
            FlushMoved(static (_, _) => true);
            _reign = coordinator.Reign;
            Reset(table, moving);
            LogRebuilt(coordinator.Reign, table.Count);
            return;
        }

        // First allocations come in bulk (every shard when the first worker is Up), and so do the promotions and
        // reassignments after a home dies (all of its shards at once): one line per home, not per shard.
        SortedDictionary<NodeAddress, List<int>>? allocated = null;
        SortedDictionary<(NodeAddress Former, NodeAddress Home), List<(int Shard, long Epoch)>>? promoted = null;
        SortedDictionary<(NodeAddress Former, NodeAddress Home), List<(int Shard, long Epoch)>>? reassigned = null;
        foreach (var (shard, placement) in table)
        {
            if (!_table.TryGetValue(shard, out var before))
            {
                allocated ??= [];
                if (!allocated.TryGetValue(placement.Home.Address, out var shards))
                {
                    allocated[placement.Home.Address] = shards = [];
                }

                shards.Add(shard);
            }
            else if (!before.Home.Equals(placement.Home))
            {
                if (_moving.TryGetValue(shard, out var to) && to.Equals(placement.Home))
                {
                    LogMoved(shard, before.Home.Address, placement.Home.Address, placement.Epoch);
                    var pair = (before.Home.Address, placement.Home.Address);
                    if (!_moved.TryGetValue(pair, out var group))
                    {
                        _moved[pair] = group = new MovedGroup(now);
                    }

                    group.Shards.Add((shard, placement.Epoch));
                }
                else
                {
                    ref var group = ref before.Backups.Contains(placement.Home) ? ref promoted : ref reassigned;
                    Add(ref group, (before.Home.Address, placement.Home.Address), (shard, placement.Epoch));
                }
            }
            else if (_moving.TryGetValue(shard, out var abandoned) && !moving.ContainsKey(shard))
            {
                LogHandOffCalledOff(shard, abandoned.Address, placement.Home.Address, placement.Epoch);
            }
        }

        foreach (var (home, shards) in allocated ?? [])
        {
            shards.Sort();
            LogAllocated(shards.Count, home, ShardRanges.Format(shards));
        }

        foreach (var ((former, home), shards) in promoted ?? [])
        {
            LogPromoted(shards.Count, former, home, ShardRanges.Format(Sorted(shards)), Epochs(shards));
        }

        foreach (var ((former, home), shards) in reassigned ?? [])
        {
            LogReassigned(shards.Count, former, home, ShardRanges.Format(Sorted(shards)), Epochs(shards));
        }

        // A rebalance round starts its hand-offs together: one line per old and new home.
        SortedDictionary<(NodeAddress From, NodeAddress To), List<int>>? started = null;
        foreach (var (shard, to) in moving)
        {
            if ((!_moving.TryGetValue(shard, out var before) || !before.Equals(to)) && table.TryGetValue(shard, out var from))
            {
                started ??= [];
                var pair = (from.Home.Address, to.Address);
                if (!started.TryGetValue(pair, out var shards))
                {
                    started[pair] = shards = [];
                }

                shards.Add(shard);
            }
        }

        foreach (var ((from, to), shards) in started ?? [])
        {
            shards.Sort();
            LogHandOffsStarted(shards.Count, from, to, ShardRanges.Format(shards));
        }

        Reset(table, moving);
        FlushMoved((pair, group) => now - group.Since >= MovedLineAtLeastEvery || !IsMoving(pair, table, moving));
    }

    /// <summary>True if some shard is moving from <paramref name="pair"/>'s old home to its new one.</summary>
    private static bool IsMoving(
        (NodeAddress From, NodeAddress To) pair,
        IReadOnlyDictionary<int, ShardPlacement> table,
        IReadOnlyDictionary<int, UniqueAddress> moving)
    {
        foreach (var (shard, to) in moving)
        {
            if (to.Address.Equals(pair.To) && table.TryGetValue(shard, out var from) && from.Home.Address.Equals(pair.From))
            {
                return true;
            }
        }

        return false;
    }

    private void FlushMoved(Func<(NodeAddress From, NodeAddress To), MovedGroup, bool> due)
    {
        foreach (var (pair, group) in _moved.Where(entry => due(entry.Key, entry.Value)).ToList())
        {
            LogShardsMoved(group.Shards.Count, pair.From, pair.To, ShardRanges.Format(Sorted(group.Shards)), Epochs(group.Shards));
            _moved.Remove(pair);
        }
    }

    private static void Add(
        ref SortedDictionary<(NodeAddress Former, NodeAddress Home), List<(int Shard, long Epoch)>>? groups,
        (NodeAddress Former, NodeAddress Home) key,
        (int Shard, long Epoch) change)
    {
        groups ??= [];
        if (!groups.TryGetValue(key, out var changes))
        {
            groups[key] = changes = [];
        }

        changes.Add(change);
    }

    private static List<int> Sorted(List<(int Shard, long Epoch)> changes) => [.. changes.Select(change => change.Shard).Order()];

    /// <summary>"epoch 7", or "epochs 7-12" for a group decided under several.</summary>
    private static string Epochs(List<(int Shard, long Epoch)> changes)
    {
        var (low, high) = (changes.Min(change => change.Epoch), changes.Max(change => change.Epoch));
        return low == high ? $"epoch {low}" : $"epochs {low}-{high}";
    }

    private void Reset(IReadOnlyDictionary<int, ShardPlacement> table, IReadOnlyDictionary<int, UniqueAddress> moving)
    {
        _table.Clear();
        foreach (var (shard, placement) in table)
        {
            _table[shard] = placement;
        }

        _moving.Clear();
        foreach (var (shard, to) in moving)
        {
            _moving[shard] = to;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard table rebuilt for reign {Reign}: {Shards} shards allocated")]
    private partial void LogRebuilt(long reign, int shards);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} shards allocated to {Home}: {Shards}")]
    private partial void LogAllocated(int count, NodeAddress home, string shards);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} shards handing off from {From} to {To}: {Shards}")]
    private partial void LogHandOffsStarted(int count, NodeAddress from, NodeAddress to, string shards);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Shard {Shard} moved from {From} to {To} (epoch {Epoch})")]
    private partial void LogMoved(int shard, NodeAddress from, NodeAddress to, long epoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} shards moved from {From} to {To}: {Shards} ({Epochs})")]
    private partial void LogShardsMoved(int count, NodeAddress from, NodeAddress to, string shards, string epochs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} shards of {Former} promoted to home from their backups on {Home}: {Shards} ({Epochs})")]
    private partial void LogPromoted(int count, NodeAddress former, NodeAddress home, string shards, string epochs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} shards reassigned from {Former} to {Home}: {Shards} ({Epochs})")]
    private partial void LogReassigned(int count, NodeAddress former, NodeAddress home, string shards, string epochs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {Shard} hand-off to {To} called off; it stays on {Home} (epoch {Epoch})")]
    private partial void LogHandOffCalledOff(int shard, NodeAddress to, NodeAddress home, long epoch);

    /// <summary>Moves from one home to another confirmed since <see cref="Since"/> and not logged yet.</summary>
    private sealed class MovedGroup(DateTimeOffset since)
    {
        public DateTimeOffset Since { get; } = since;

        public List<(int Shard, long Epoch)> Shards { get; } = [];
    }
}
