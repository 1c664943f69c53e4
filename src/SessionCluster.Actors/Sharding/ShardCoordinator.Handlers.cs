using System.Collections.Immutable;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Sharding;

public sealed partial class ShardCoordinator
{
    private void BeginReign(DateTimeOffset now)
    {
        Reign++;
        Phase = CoordinatorPhase.Rebuilding;
        _regions.Clear();
        _reports.Clear();
        _table.Clear();
        _moves.Clear();
        _awaiting.Clear();
        foreach (var member in _members.Values)
        {
            if (member.HasRole(CoordinatorPlacement.WorkerRole) && member.Status is MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Exiting)
            {
                _awaiting.Add(member.UniqueAddress);
            }

            _effects.Add(new SendToNode(member.Address, new QueryRegion(Reign)));
        }

        _lastQuery = now;
        TryFinishRebuild(now);
    }

    private void Resign()
    {
        Phase = CoordinatorPhase.Idle;
        _regions.Clear();
        _reports.Clear();
        _table.Clear();
        _moves.Clear();
        _awaiting.Clear();
    }

    private void OnReport(UniqueAddress from, RegionReport report, DateTimeOffset now)
    {
        _regions[from] = new RegionEntry(report.HostsShards, report.HostsShards ? report.Weight : 0) { Draining = report.HostsShards && report.Weight == 0 };
        _nextEpoch = Math.Max(_nextEpoch, report.MaxEpochSeen + 1);
        foreach (var held in report.Shards)
        {
            _nextEpoch = Math.Max(_nextEpoch, held.Epoch + 1);
        }

        if (Phase == CoordinatorPhase.Rebuilding)
        {
            _reports[from] = report;
            _awaiting.Remove(from);
            TryFinishRebuild(now);
            return;
        }

        // A region joining an active reign: adopt what it serves if nobody else has it (a region that restarted its
        // reign allegiance, say), then tell it the whole table.
        foreach (var held in report.Shards)
        {
            if (held.Status == HostedShardStatus.Active && !_table.ContainsKey(held.Shard))
            {
                _table[held.Shard] = ShardPlacement.Alone(from, held.Epoch);
            }
        }

        _effects.Add(new SendToNode(from.Address, new ShardHomes(Reign, [.. _table.Select(entry => Allocation(entry.Key, entry.Value))])));
    }

    private void TryFinishRebuild(DateTimeOffset now)
    {
        _awaiting.RemoveWhere(region => !_members.ContainsKey(region));
        if (Phase != CoordinatorPhase.Rebuilding || _awaiting.Count > 0)
        {
            return;
        }

        var byShard = new Dictionary<int, List<(UniqueAddress Region, HostedShard Held)>>();
        foreach (var (region, report) in _reports)
        {
            if (!_members.ContainsKey(region))
            {
                continue;
            }

            foreach (var held in report.Shards)
            {
                if ((uint)held.Shard < (uint)_settings.NumberOfShards)
                {
                    (byShard.TryGetValue(held.Shard, out var list) ? list : byShard[held.Shard] = []).Add((region, held));
                }
            }
        }

        foreach (var (shard, holders) in byShard)
        {
            if (Best(holders, HostedShardStatus.Active) is { } active)
            {
                // The backups that follow the same epoch are the ones the home replicates to; any others are stale.
                var backups = holders
                    .Where(holder => holder.Held.Epoch == active.Held.Epoch && IsBackup(holder.Held.Status) && !holder.Region.Equals(active.Region))
                    .ToList();
                _table[shard] = new ShardPlacement(
                    active.Region,
                    active.Held.Epoch,
                    [.. backups.Select(backup => backup.Region)],
                    [.. backups.Where(backup => backup.Held.Status == HostedShardStatus.SyncedBackup).Select(backup => backup.Region)]);
            }
            else if ((Best(holders, HostedShardStatus.Received) ?? Best(holders, HostedShardStatus.HandingOff) ?? Best(holders, HostedShardStatus.Receiving)) is { } holder)
            {
                _table[shard] = ShardPlacement.Alone(holder.Region, _nextEpoch++);
            }
            else if ((Best(holders, HostedShardStatus.SyncedBackup) ?? Best(holders, HostedShardStatus.Backup)) is { } backup)
            {
                // Nobody serves it, but a copy survives (its home died while there was no coordinator): promote it.
                _table[shard] = ShardPlacement.Alone(backup.Region, _nextEpoch++);
            }
        }

        _reports.Clear();
        Phase = CoordinatorPhase.Active;
        _lastRebalance = now;
        _lastFullBroadcast = now;
        Broadcast([.. _table.Keys]);
    }

    private static (UniqueAddress Region, HostedShard Held)? Best(List<(UniqueAddress Region, HostedShard Held)> holders, HostedShardStatus status)
    {
        (UniqueAddress Region, HostedShard Held)? best = null;
        foreach (var holder in holders)
        {
            if (holder.Held.Status == status && (best is null || holder.Held.Epoch > best.Value.Held.Epoch))
            {
                best = holder;
            }
        }

        return best;
    }

    private static bool IsBackup(HostedShardStatus status) => status is HostedShardStatus.Backup or HostedShardStatus.SyncedBackup;

    private void OnGetShardHome(UniqueAddress from, int shard)
    {
        if (_table.TryGetValue(shard, out var home))
        {
            // Also while the shard moves: its old home buffers what it gets and forwards it after the move.
            _effects.Add(new SendToNode(from.Address, new ShardHomes(Reign, [Allocation(shard, home)])));
            return;
        }

        if (Allocate(shard))
        {
            Broadcast([shard]);
        }
    }

    private void OnShardReceived(UniqueAddress from, ShardReceived received, DateTimeOffset now)
    {
        if (_moves.TryGetValue(received.Shard, out var move) && move.Epoch == received.Epoch && move.To.Equals(from))
        {
            _moves.Remove(received.Shard);
            // The backups stay where they are (the new home sends them its deltas from now on), except the new home
            // itself if it was one: a copy on the home's own node protects nothing. The old home then takes its place,
            // keeping what it handed over as a whole copy (see KeepShardAsBackup), so the shard is never left with the
            // new home as its only whole copy while a new backup is filled.
            var old = _table.TryGetValue(received.Shard, out var placement) ? placement : ShardPlacement.Alone(from, received.Epoch);
            var backups = old.Backups.Remove(from);
            var synced = old.Synced.Remove(from);
            if (old.Backups.Contains(from) && IsUsable(move.From))
            {
                backups = backups.Add(move.From);
                synced = synced.Add(move.From);
            }

            _table[received.Shard] = new ShardPlacement(from, received.Epoch, backups, synced);
            Broadcast([received.Shard]);
            if (_regions.TryGetValue(move.From, out var left) && EffectiveWeight(move.From, left) == 0)
            {
                // A region being emptied (drained, or its member leaving) gets the freed place of the per-round limit
                // at once rather than at the next round: its node waits to exit, and with 1 s rounds of 10 moves a
                // third of 100 shards would otherwise take four rounds. Moves stay bounded by the limit.
                RebalanceAtOnce(now);
            }
        }
        else if (_table.TryGetValue(received.Shard, out var home))
        {
            // A receipt for a move already settled (either way): repeat the outcome to the one that keeps asking.
            _effects.Add(new SendToNode(from.Address, new ShardHomes(Reign, [Allocation(received.Shard, home)])));
        }
    }

    private void OnBackupSynced(UniqueAddress from, BackupSynced synced)
    {
        if (_table.TryGetValue(synced.Shard, out var placement) && placement.Epoch == synced.Epoch &&
            placement.Backups.Contains(from) && !placement.Synced.Contains(from))
        {
            _table[synced.Shard] = placement with { Synced = placement.Synced.Add(from) };
        }
    }

    private void SuperviseMoves(DateTimeOffset now)
    {
        foreach (var (shard, move) in _moves.ToArray())
        {
            if (now >= move.Deadline)
            {
                // No receipt in time: the new home was never confirmed and never served, so the shard goes back to
                // the old home, which kept every session, under a newer epoch that makes the new home discard its copy.
                _moves.Remove(shard);
                if (_members.ContainsKey(move.From))
                {
                    _table[shard] = _table[shard] with { Home = move.From, Epoch = _nextEpoch++ };
                    Broadcast([shard]);
                }
                else if (Reassign(shard))
                {
                    Broadcast([shard]);
                }
            }
            else if (now - move.LastSent >= _settings.RetryInterval)
            {
                move.LastSent = now;
                _effects.Add(new SendToNode(move.From.Address, new HandOffShard(Reign, shard, move.To.Address, move.Epoch)));
            }
        }
    }

    private void Rebalance(DateTimeOffset now)
    {
        var loads = Loads();
        if (loads.Count == 0)
        {
            return;
        }

        // A move out of a region that has since left waits for its receipt or timeout; the strategy sees only the
        // regions it can place shards on, so such a move is not "in progress" among them.
        var listed = loads.Select(load => load.Region).ToHashSet();
        var inProgress = _moves.Where(move => listed.Contains(move.Value.From.Address)).Select(move => move.Key).ToHashSet();
        // Shards the sink already backs up move first: a move onto a whole copy costs fingerprints, not sessions.
        foreach (var move in _strategy.Rebalance(loads, inProgress, HeldWholeAt))
        {
            if (RegionAt(move.From) is not { } from || RegionAt(move.To) is not { } to || !_table.TryGetValue(move.Shard, out var placement) || !placement.Home.Equals(from))
            {
                continue;
            }

            var epoch = _nextEpoch++;
            _moves[move.Shard] = new Move(from, to, epoch, now + _settings.HandOffTimeout) { LastSent = now };
            _effects.Add(new SendToNode(from.Address, new HandOffShard(Reign, move.Shard, to.Address, epoch)));
        }

        if (_moves.Count == 0)
        {
            // Homes first: a move changes who holds copies (the old home stays as a backup), so backups are evened out
            // only once the homes have settled.
            RebalanceBackups();
        }
    }

    /// <summary>True if <paramref name="region"/> keeps a whole (synced) backup copy of <paramref name="shard"/>.</summary>
    private bool HeldWholeAt(int shard, NodeAddress region) =>
        _table.TryGetValue(shard, out var placement) && placement.Synced.Any(backup => backup.Address.Equals(region));

    /// <summary>Evens out the backup copies over the regions by capacity weight (a worker that joins gets its share,
    /// not only of homes), within the per-round limits. Each change adds the new backup before the old one: the old
    /// copy stays (see <see cref="AssignBackups"/>) until the new one holds the whole shard.</summary>
    private void RebalanceBackups()
    {
        if (_backupsPerShard == 0)
        {
            return;
        }

        var weights = new Dictionary<UniqueAddress, double>();
        foreach (var load in Loads())
        {
            if (load.Weight > 0 && RegionAt(load.Region) is { } region)
            {
                weights[region] = load.Weight;
            }
        }

        // A copy kept only until its replacement is whole (past the first _backupsPerShard) is on its way out.
        var copies = CopiesPerRegion(weights.Keys, placement => placement.Backups.Take(_backupsPerShard));
        var inFlight = _table.Values.Count(placement => placement.Backups.Length > _backupsPerShard);
        var limit = _strategy.MovesPerRound(_settings.NumberOfShards);
        var changed = new List<int>();
        while (inFlight + changed.Count < limit && copies.Count > 1)
        {
            var source = copies.Keys.OrderByDescending(region => copies[region] / weights[region]).ThenBy(region => region.Address.ToString(), StringComparer.Ordinal).First();
            var target = copies.Keys.OrderBy(region => copies[region] / weights[region]).ThenBy(region => region.Address.ToString(), StringComparer.Ordinal).First();

            // Only while the source, one copy lighter, is still at least as loaded as the target one copy heavier:
            // each change then narrows the spread, and two regions never trade a copy back and forth.
            if (source.Equals(target) || (copies[source] - 1) / weights[source] < (copies[target] + 1) / weights[target])
            {
                break;
            }

            var candidate = _table
                .Where(entry => entry.Value.Backups.Length == _backupsPerShard && entry.Value.Backups.Contains(source) &&
                                !entry.Value.Home.Equals(target) && !entry.Value.Backups.Contains(target) && !changed.Contains(entry.Key))
                .Select(entry => (int?)entry.Key)
                .Min();
            if (candidate is not { } shard)
            {
                break;
            }

            var placement = _table[shard];
            _table[shard] = placement with { Epoch = _nextEpoch++, Backups = [.. placement.Backups.Remove(source), target, source] };
            copies[source]--;
            copies[target]++;
            changed.Add(shard);
        }

        Broadcast(changed);
    }

    /// <summary>Gives every shard without a home one. Eager rather than on first request: there are few shards, an
    /// empty one costs nothing to host or move, and the table then always covers every shard, so a request never
    /// waits for an allocation and operators see the whole picture.</summary>
    private void AllocateHomeless()
    {
        if (_table.Count == _settings.NumberOfShards)
        {
            return;
        }

        var allocated = new List<int>();
        for (var shard = 0; shard < _settings.NumberOfShards; shard++)
        {
            if (!_table.ContainsKey(shard))
            {
                if (!Allocate(shard))
                {
                    break;
                }

                allocated.Add(shard);
            }
        }

        Broadcast(allocated);
    }

    /// <summary>Allocates a shard with no home to the least loaded region; false if no region can take it.</summary>
    private bool Allocate(int shard)
    {
        if (_strategy.Allocate(Loads()) is { } address && RegionAt(address) is { } region)
        {
            _table[shard] = ShardPlacement.Alone(region, _nextEpoch++);
            return true;
        }

        return false;
    }

    /// <summary>Gives a shard whose home is gone a new one: a surviving backup if there is one (it holds every
    /// acknowledged write; one that holds the whole copy first), else an empty allocation. False if neither is possible.</summary>
    private bool Reassign(int shard)
    {
        if (_table.TryGetValue(shard, out var placement))
        {
            var survivors = placement.Backups.Where(IsUsable).ToList();
            var heir = survivors.FirstOrDefault(placement.Synced.Contains) ?? survivors.FirstOrDefault();
            if (heir is not null)
            {
                _table[shard] = new ShardPlacement(heir, _nextEpoch++, placement.Backups.Remove(heir), placement.Synced.Remove(heir));
                return true;
            }
        }

        _table.Remove(shard);
        return Allocate(shard);
    }

    /// <summary>Gives every shard its backups: keeps those still eligible, replaces the rest with the eligible regions
    /// holding the fewest copies, and lets a whole copy on a region still in the cluster go only once its replacement
    /// is whole. Every change takes a new epoch, so that a dropped backup refuses the home's deltas and the home
    /// learns whom to send them to.</summary>
    private void AssignBackups()
    {
        if (_backupsPerShard == 0)
        {
            return;
        }

        var eligible = Loads().Where(load => load.Weight > 0).Select(load => RegionAt(load.Region)).OfType<UniqueAddress>().ToList();
        var copies = CopiesPerRegion(eligible, placement => placement.Backups);

        var changed = new List<int>();
        foreach (var shard in _table.Keys.Order().ToList())
        {
            var placement = _table[shard];
            if (_moves.ContainsKey(shard))
            {
                continue;
            }

            var kept = placement.Backups.Where(backup => copies.ContainsKey(backup) && !backup.Equals(placement.Home)).ToList();
            while (kept.Count < _backupsPerShard &&
                   eligible.Where(region => !region.Equals(placement.Home) && !kept.Contains(region))
                       .OrderBy(region => copies[region]).ThenBy(region => region.Address.ToString(), StringComparer.Ordinal)
                       .FirstOrDefault() is { } added)
            {
                kept.Add(added);
                copies[added]++;
            }

            if (kept.Count > _backupsPerShard)
            {
                kept.RemoveRange(_backupsPerShard, kept.Count - _backupsPerShard);
            }

            // Make before break: a whole copy on a region that takes no new copies but is still a member (draining,
            // leaving) stays, after the new ones, until as many of those hold the whole shard; dropped at once, it would
            // leave the home as the only whole copy until the new backups are filled, and a crash of the home then
            // would lose what they have not received yet.
            var unsynced = kept.Count(backup => !placement.Synced.Contains(backup));
            kept.AddRange(placement.Synced.Where(backup => !kept.Contains(backup) && !backup.Equals(placement.Home) && IsUsable(backup)).Take(unsynced));

            if (!kept.SequenceEqual(placement.Backups))
            {
                _table[shard] = new ShardPlacement(placement.Home, _nextEpoch++, [.. kept], [.. placement.Synced.Where(kept.Contains)]);
                changed.Add(shard);
            }
        }

        Broadcast(changed);
    }

    /// <summary>How many backup copies each of <paramref name="regions"/> holds, counting those <paramref name="counted"/> lists per shard.</summary>
    private Dictionary<UniqueAddress, int> CopiesPerRegion(IEnumerable<UniqueAddress> regions, Func<ShardPlacement, IEnumerable<UniqueAddress>> counted)
    {
        var copies = regions.ToDictionary(region => region, _ => 0);
        foreach (var placement in _table.Values)
        {
            foreach (var backup in counted(placement))
            {
                if (copies.TryGetValue(backup, out var count))
                {
                    copies[backup] = count + 1;
                }
            }
        }

        return copies;
    }

    /// <summary>Regions removed from the membership lose their shards: those are allocated anew (empty: the sessions
    /// died with the node; replication will keep copies). Moves towards downed or removed regions, and moves of a shard
    /// that lost a backup, are called off.</summary>
    private void ForgetDepartedRegions(DateTimeOffset now)
    {
        if (Phase == CoordinatorPhase.Rebuilding)
        {
            TryFinishRebuild(now);
            return;
        }

        var departed = _regions.Keys.Where(region => !_members.ContainsKey(region)).ToList();
        foreach (var region in departed)
        {
            _regions.Remove(region);
        }

        var changed = new List<int>();
        foreach (var (shard, move) in _moves.ToArray())
        {
            if ((!IsUsable(move.To) || _table[shard].Backups.Any(backup => !IsUsable(backup))) && _members.ContainsKey(move.From))
            {
                // Also when a backup of the shard went down: AssignBackups leaves a moving shard's backups alone (a new
                // epoch would read to the old home as a called-off move), so the old home would wait for that dead
                // backup's acknowledgements, its hand-off and every write in flight stuck until they time out.
                _moves.Remove(shard);
                _table[shard] = _table[shard] with { Home = move.From, Epoch = _nextEpoch++ };
                changed.Add(shard);
            }
            else if (!_members.ContainsKey(move.From))
            {
                // The old home died mid-move: its backups hold every acknowledged write, the half-filled new home
                // does not. The newer epoch makes the new home discard what it got.
                _moves.Remove(shard);
            }
        }

        foreach (var (shard, placement) in _table.ToArray())
        {
            if (!_members.ContainsKey(placement.Home) && !_moves.ContainsKey(shard) && Reassign(shard))
            {
                changed.Add(shard);
            }
        }

        if (changed.Count > 0)
        {
            Broadcast(changed);
        }
    }

    private void Broadcast(IReadOnlyCollection<int> shards)
    {
        if (shards.Count == 0)
        {
            return;
        }

        var message = new ShardHomes(Reign, [.. shards.Where(_table.ContainsKey).Select(shard => Allocation(shard, _table[shard]))]);
        foreach (var region in _regions.Keys)
        {
            _effects.Add(new SendToNode(region.Address, message));
        }
    }

    private static ShardAllocation Allocation(int shard, ShardPlacement placement) =>
        new(shard, placement.Home.Address, placement.Epoch, [.. placement.Backups.Select(backup => backup.Address)]);

    /// <summary>The hosting regions as the strategy sees them; a moving shard counts at its old home until confirmed.</summary>
    private List<RegionLoad> Loads()
    {
        var shardsOf = new Dictionary<UniqueAddress, HashSet<int>>();
        foreach (var (region, entry) in _regions)
        {
            if (entry.HostsShards && IsUsable(region))
            {
                shardsOf[region] = [];
            }
        }

        foreach (var (shard, placement) in _table)
        {
            if (shardsOf.TryGetValue(placement.Home, out var set))
            {
                set.Add(shard);
            }
        }

        return [.. shardsOf.Select(entry => new RegionLoad(entry.Key.Address, EffectiveWeight(entry.Key, _regions[entry.Key]), entry.Value))];
    }

    /// <summary>A region's weight now: 0 while it drains or its member is not Up (joining, leaving), so it takes
    /// nothing new and rebalancing empties it.</summary>
    private double EffectiveWeight(UniqueAddress region, RegionEntry entry) =>
        entry.Draining || !_members.TryGetValue(region, out var member) || member.Status != MemberStatus.Up ? 0 : entry.Weight;

    /// <summary>A member that is neither removed nor downed: it can take part in moves.</summary>
    private bool IsUsable(UniqueAddress region) => _members.TryGetValue(region, out var member) && member.Status != MemberStatus.Down;

    private UniqueAddress? RegionAt(NodeAddress address)
    {
        foreach (var region in _regions.Keys)
        {
            if (region.Address.Equals(address) && IsUsable(region))
            {
                return region;
            }
        }

        return null;
    }
}
