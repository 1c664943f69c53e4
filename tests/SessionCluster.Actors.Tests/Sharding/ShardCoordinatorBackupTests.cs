using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>The coordinator's replica rules: backup placement, promotion of a backup when a home dies, rebuild.</summary>
public sealed class ShardCoordinatorBackupTests
{
    internal static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    internal static readonly UniqueAddress A = new(new NodeAddress("a", 1), 1);
    internal static readonly UniqueAddress B = new(new NodeAddress("b", 1), 2);
    internal static readonly UniqueAddress C = new(new NodeAddress("c", 1), 3);
    internal static readonly UniqueAddress D = new(new NodeAddress("d", 1), 4);
    private static readonly ShardingSettings Settings = ShardingSettings.Default with { NumberOfShards = 12 };

    [Fact]
    public void Every_shard_gets_its_backups_on_other_nodes_spread_evenly_and_announced_with_a_new_epoch()
    {
        var coordinator = Active(backups: 1, out _, A, B, C);

        var effects = coordinator.Tick(T0.AddSeconds(1));

        Assert.Equal(12, coordinator.Table.Count);
        Assert.All(coordinator.Table.Values, placement =>
        {
            Assert.Single(placement.Backups);
            Assert.NotEqual(placement.Home, placement.Backups[0]);
        });
        var perNode = coordinator.Table.Values.SelectMany(placement => placement.Backups).GroupBy(node => node).Select(group => group.Count()).ToList();
        Assert.Equal(3, perNode.Count);
        Assert.True(perNode.Max() - perNode.Min() <= 1, $"backups per node: {string.Join(", ", perNode)}");
        var announced = effects.OfType<SendToNode>().Select(send => send.Message).OfType<ShardHomes>().SelectMany(homes => homes.Allocations).ToList();
        Assert.All(coordinator.Table, entry => Assert.Contains(announced, allocation =>
            allocation.Shard == entry.Key && allocation.Epoch == entry.Value.Epoch && allocation.BackupNodes.SequenceEqual([entry.Value.Backups[0].Address])));
    }

    [Fact]
    public void A_draining_homes_shards_move_first_where_their_whole_copies_are()
    {
        var coordinator = Active(backups: 1, out var reign, A, B, C);
        var now = T0;
        for (var round = 0; round < 3; round++)
        {
            Settle(coordinator, reign, ref now);
        }

        // B and C drain, so every shard goes to A: C's shards that A already backs up go first, then the rest.
        var onC = coordinator.Table.Where(entry => entry.Value.Home == C).OrderBy(entry => entry.Key).ToList();
        var backedUpOnA = onC.Where(entry => entry.Value.Synced.Contains(A)).Select(entry => entry.Key).ToList();
        List<int> expected = [.. backedUpOnA, .. onC.Select(entry => entry.Key).Except(backedUpOnA)];
        Assert.NotEqual(onC.Select(entry => entry.Key), expected);   // else lowest-first would pass too
        coordinator.Receive(B, new DrainRegion(true), now);
        coordinator.Receive(C, new DrainRegion(true), now);
        var handOffs = new List<HandOffShard>();
        for (var round = 0; round < 30 && coordinator.Table.Values.Any(placement => placement.Home != A); round++)
        {
            // One move a round (12 shards), each confirmed before the next round.
            now = now.AddSeconds(1);
            foreach (var handOff in coordinator.Tick(now).OfType<SendToNode>().Select(send => send.Message).OfType<HandOffShard>())
            {
                handOffs.Add(handOff);
                coordinator.Receive(A, new ShardReceived(reign, handOff.Shard, handOff.Epoch), now);
            }
        }

        var fromC = handOffs.Where(handOff => onC.Any(entry => entry.Key == handOff.Shard)).Select(handOff => handOff.Shard).ToList();
        Assert.Equal(expected, fromC);
        Assert.All(coordinator.Table.Values, placement => Assert.Equal(A, placement.Home));
    }

    [Fact]
    public void A_removed_home_is_replaced_by_its_synced_backup_under_a_newer_epoch()
    {
        var coordinator = Active(backups: 2, out var reign, A, B, C, D);
        coordinator.Tick(T0.AddSeconds(1));
        var (shard, placement) = coordinator.Table.First(entry => entry.Value.Home == B);
        var synced = placement.Backups[1];
        coordinator.Receive(synced, new BackupSynced(reign, shard, placement.Epoch), T0.AddSeconds(1));
        Assert.Equal<UniqueAddress>([synced], coordinator.Table[shard].Synced);

        var effects = coordinator.MembershipChanged(State((A, MemberStatus.Up), (C, MemberStatus.Up), (D, MemberStatus.Up)), T0.AddSeconds(2));

        var promoted = coordinator.Table[shard];
        Assert.Equal(synced, promoted.Home);
        Assert.True(promoted.Epoch > placement.Epoch);
        Assert.Equal<UniqueAddress>([placement.Backups[0]], promoted.Backups);
        Assert.Contains(effects, effect => effect is SendToNode { Message: ShardHomes homes } &&
            homes.Allocations.Any(allocation => allocation.Shard == shard && allocation.Home == synced.Address && allocation.Epoch == promoted.Epoch));

        // The next round restores the number of copies.
        coordinator.Tick(T0.AddSeconds(3));
        Assert.Equal(2, coordinator.Table[shard].Backups.Length);
        Assert.DoesNotContain(B, coordinator.Table.Values.SelectMany(p => p.Backups.Add(p.Home)));
    }

    [Fact]
    public void A_downed_backup_is_replaced_under_a_new_epoch_while_its_home_stays()
    {
        var coordinator = Active(backups: 1, out _, A, B, C);
        coordinator.Tick(T0.AddSeconds(1));
        var (shard, placement) = coordinator.Table.First(entry => entry.Value.Backups[0] == C);

        coordinator.MembershipChanged(State((A, MemberStatus.Up), (B, MemberStatus.Up), (C, MemberStatus.Down)), T0.AddSeconds(2));
        coordinator.Tick(T0.AddSeconds(2));

        var after = coordinator.Table[shard];
        Assert.Equal(placement.Home, after.Home);
        Assert.True(after.Epoch > placement.Epoch);
        Assert.Single(after.Backups);
        Assert.NotEqual(C, after.Backups[0]);
        Assert.NotEqual(after.Home, after.Backups[0]);
    }

    [Fact]
    public void A_move_whose_shard_loses_its_backup_is_called_off_and_the_backup_replaced_at_once()
    {
        // The old home's writes in flight wait for the dead backup's acknowledgement, and its hand-off for them: the
        // move goes back to the old home under a new epoch and the shard gets a live backup in the same round.
        var coordinator = Active(backups: 2, out var reign, A, B, C, D);
        coordinator.Tick(T0.AddSeconds(1));
        coordinator.Receive(A, new DrainRegion(true), T0.AddSeconds(1));
        var handOff = coordinator.Tick(T0.AddSeconds(3)).OfType<SendToNode>().Select(send => send.Message).OfType<HandOffShard>().First();
        var dead = coordinator.Table[handOff.Shard].Backups.First(backup => !backup.Address.Equals(handOff.To));
        var target = new[] { B, C, D }.Single(node => node.Address.Equals(handOff.To));
        Assert.Contains(handOff.Shard, coordinator.Moving.Keys);

        coordinator.MembershipChanged(State([.. new[] { A, B, C, D }.Select(node => (node, node == dead ? MemberStatus.Down : MemberStatus.Up))]), T0.AddSeconds(4));

        Assert.DoesNotContain(handOff.Shard, coordinator.Moving.Keys);
        var calledOff = coordinator.Table[handOff.Shard];
        Assert.Equal(A, calledOff.Home);
        Assert.True(calledOff.Epoch > handOff.Epoch, $"epoch {calledOff.Epoch} must pass the move's {handOff.Epoch}, so the new home discards its copy");

        // The next tick gives it a live backup in place of the dead one (and may move it again: A still drains).
        coordinator.Tick(T0.AddSeconds(4));
        var after = coordinator.Table[handOff.Shard];
        Assert.Equal(2, after.Backups.Length);
        Assert.DoesNotContain(dead, after.Backups);

        // The receipt of the called-off move changes nothing.
        coordinator.Receive(target, new ShardReceived(reign, handOff.Shard, handOff.Epoch), T0.AddSeconds(4));
        Assert.Equal(A, coordinator.Table[handOff.Shard].Home);
    }

    [Fact]
    public void A_sync_report_for_an_older_epoch_or_from_a_non_backup_is_ignored()
    {
        var coordinator = Active(backups: 1, out var reign, A, B, C);
        coordinator.Tick(T0.AddSeconds(1));
        var (shard, placement) = coordinator.Table.First();
        var stranger = new[] { A, B, C }.First(node => node != placement.Home && node != placement.Backups[0]);

        coordinator.Receive(placement.Backups[0], new BackupSynced(reign, shard, placement.Epoch - 1), T0.AddSeconds(1));
        coordinator.Receive(stranger, new BackupSynced(reign, shard, placement.Epoch), T0.AddSeconds(1));

        Assert.Empty(coordinator.Table[shard].Synced);
    }

    [Fact]
    public void A_draining_synced_backup_keeps_its_copy_until_its_replacement_holds_the_whole_shard()
    {
        var coordinator = Active(backups: 1, out var reign, A, B, C);
        coordinator.Tick(T0.AddSeconds(1));
        var (shard, placement) = coordinator.Table.First(entry => entry.Value.Backups[0] == C);
        coordinator.Receive(C, new BackupSynced(reign, shard, placement.Epoch), T0.AddSeconds(1));

        coordinator.Receive(C, new DrainRegion(true), T0.AddSeconds(1));
        coordinator.Tick(T0.AddSeconds(1.5));

        // The replacement comes first; the draining copy stays (and stays the synced one) while the new one fills up.
        var replacement = new[] { A, B }.Single(node => node != placement.Home);
        var transition = coordinator.Table[shard];
        Assert.Equal(new ShardPlacement(placement.Home, transition.Epoch, [replacement, C], [C]), transition);
        Assert.True(transition.Epoch > placement.Epoch);
        coordinator.Tick(T0.AddSeconds(2));
        Assert.Equal(transition, coordinator.Table[shard]);

        coordinator.Receive(replacement, new BackupSynced(reign, shard, transition.Epoch), T0.AddSeconds(2));
        coordinator.Tick(T0.AddSeconds(2.5));

        var after = coordinator.Table[shard];
        Assert.Equal(new ShardPlacement(placement.Home, after.Epoch, [replacement], [replacement]), after);
        Assert.True(after.Epoch > transition.Epoch);
    }

    [Fact]
    public void A_confirmed_move_onto_a_backup_makes_the_old_home_the_backup_in_its_place_already_whole()
    {
        var coordinator = Active(backups: 1, out var reign, A, B);
        coordinator.Tick(T0.AddSeconds(1));
        coordinator.Receive(A, new DrainRegion(true), T0.AddSeconds(1));
        var handOff = coordinator.Tick(T0.AddSeconds(3)).OfType<SendToNode>().Select(send => send.Message).OfType<HandOffShard>().First();

        coordinator.Receive(B, new ShardReceived(reign, handOff.Shard, handOff.Epoch), T0.AddSeconds(4));

        // The old home keeps what it handed over as the backup (see ShardRegion: KeepShardAsBackup)...
        Assert.Equal(new ShardPlacement(B, handOff.Epoch, [A], [A]), coordinator.Table[handOff.Shard]);

        // ...until it can be replaced: it drains, and with two workers there is nobody to replace it with.
        coordinator.Tick(T0.AddSeconds(4));
        var after = coordinator.Table[handOff.Shard];
        Assert.Equal(new ShardPlacement(B, after.Epoch, [], []), after);
    }

    [Fact]
    public void A_confirmed_move_onto_a_backup_keeps_the_draining_old_home_as_backup_until_its_replacement_is_whole()
    {
        var coordinator = Active(backups: 1, out var reign, A, B, C);
        coordinator.Tick(T0.AddSeconds(1));
        coordinator.Receive(B, new DrainRegion(true), T0.AddSeconds(1));
        var moves = coordinator.Tick(T0.AddSeconds(3)).OfType<SendToNode>().Select(send => (send.To, Message: send.Message as HandOffShard))
            .Where(send => send.Message is not null).Select(send => send.Message!).ToList();
        var handOff = moves.First(move => coordinator.Table[move.Shard].Backups.Single().Address.Equals(move.To));
        var newHome = new[] { A, C }.Single(node => node.Address.Equals(handOff.To));
        var replacement = new[] { A, C }.Single(node => node != newHome);

        coordinator.Receive(newHome, new ShardReceived(reign, handOff.Shard, handOff.Epoch), T0.AddSeconds(4));
        Assert.Equal(new ShardPlacement(newHome, handOff.Epoch, [B], [B]), coordinator.Table[handOff.Shard]);

        coordinator.Tick(T0.AddSeconds(4));
        var transition = coordinator.Table[handOff.Shard];
        Assert.Equal(new ShardPlacement(newHome, transition.Epoch, [replacement, B], [B]), transition);

        coordinator.Receive(replacement, new BackupSynced(reign, handOff.Shard, transition.Epoch), T0.AddSeconds(4));
        coordinator.Tick(T0.AddSeconds(4.5));
        var after = coordinator.Table[handOff.Shard];
        Assert.Equal(new ShardPlacement(newHome, after.Epoch, [replacement], [replacement]), after);
    }

    [Fact]
    public void Rebuild_keeps_the_backups_that_follow_the_homes_epoch_and_promotes_a_lone_surviving_copy()
    {
        var coordinator = new ShardCoordinator(A, Settings, backupsPerShard: 1);
        coordinator.MembershipChanged(State((A, MemberStatus.Up), (B, MemberStatus.Up), (C, MemberStatus.Up)), T0);
        var reign = coordinator.Reign;
        coordinator.Receive(A, Report(reign, new HostedShard(0, 7, HostedShardStatus.Active), new HostedShard(1, 9, HostedShardStatus.SyncedBackup)), T0);
        coordinator.Receive(B, Report(reign, new HostedShard(0, 7, HostedShardStatus.SyncedBackup), new HostedShard(2, 3, HostedShardStatus.Active)), T0);
        coordinator.Receive(C, Report(reign, new HostedShard(0, 6, HostedShardStatus.Backup), new HostedShard(2, 2, HostedShardStatus.SyncedBackup)), T0);

        Assert.Equal(CoordinatorPhase.Active, coordinator.Phase);
        Assert.Equal(new ShardPlacement(A, 7, [B], [B]), coordinator.Table[0]);
        Assert.Equal(A, coordinator.Table[1].Home);
        Assert.True(coordinator.Table[1].Epoch > 9);
        Assert.Equal(new ShardPlacement(B, 3, [], []), coordinator.Table[2]);
    }

    [Fact]
    public void A_worker_that_joins_gets_its_share_of_backups_each_new_copy_made_whole_before_the_old_one_goes()
    {
        var coordinator = Active(backups: 1, out var reign, A, B, C);
        var now = T0.AddSeconds(1);
        Settle(coordinator, reign, ref now);
        Assert.DoesNotContain(coordinator.Table.Values, placement => placement.Home == D || placement.Backups.Contains(D));

        coordinator.MembershipChanged(State((A, MemberStatus.Up), (B, MemberStatus.Up), (C, MemberStatus.Up), (D, MemberStatus.Up)), now);
        coordinator.Receive(D, new RegisterRegion(true), now);
        coordinator.Receive(D, Report(reign), now);
        var before = coordinator.Table.ToDictionary(entry => entry.Key, entry => entry.Value);
        for (var round = 0; round < 40; round++)
        {
            Settle(coordinator, reign, ref now);
            foreach (var (shard, placement) in coordinator.Table)
            {
                // A copy leaves a shard's backups only when another whole one is there.
                var dropped = before[shard].Backups.Except(placement.Backups).Except([placement.Home]).ToList();
                Assert.True(dropped.Count == 0 || placement.Synced.Length >= 1, $"shard {shard} dropped {string.Join(", ", dropped)} with no whole copy left: {placement}");
            }

            before = coordinator.Table.ToDictionary(entry => entry.Key, entry => entry.Value);
        }

        var perNode = coordinator.Table.Values.SelectMany(placement => placement.Backups).GroupBy(node => node).ToDictionary(group => group.Key, group => group.Count());
        Assert.Equal(4, perNode.Count);
        Assert.True(perNode.Values.Max() - perNode.Values.Min() <= 1, $"backups per node: {string.Join(", ", perNode.Select(entry => $"{entry.Key.Address}={entry.Value}"))}");
        Assert.All(coordinator.Table.Values, placement => Assert.Equal<UniqueAddress>(placement.Backups, placement.Synced.OrderBy(node => placement.Backups.IndexOf(node))));
    }

    /// <summary>One rebalance round, with every hand-off received and every new backup reporting its copy whole.</summary>
    internal static void Settle(ShardCoordinator coordinator, long reign, ref DateTimeOffset now)
    {
        now = now.AddSeconds(1);
        var effects = coordinator.Tick(now);
        foreach (var handOff in effects.OfType<SendToNode>().Select(send => send.Message).OfType<HandOffShard>())
        {
            var to = new[] { A, B, C, D }.Single(node => node.Address == handOff.To);
            coordinator.Receive(to, new ShardReceived(reign, handOff.Shard, handOff.Epoch), now);
        }

        foreach (var (shard, placement) in coordinator.Table.ToList())
        {
            foreach (var backup in placement.Backups.Where(backup => !placement.Synced.Contains(backup)))
            {
                coordinator.Receive(backup, new BackupSynced(reign, shard, coordinator.Table[shard].Epoch), now);
            }
        }
    }

    internal static ShardCoordinator Active(int backups, out long reign, params UniqueAddress[] nodes)
    {
        var coordinator = new ShardCoordinator(A, Settings, backups);
        coordinator.MembershipChanged(State([.. nodes.Select(node => (node, MemberStatus.Up))]), T0);
        reign = coordinator.Reign;
        foreach (var node in nodes)
        {
            coordinator.Receive(node, Report(reign), T0);
        }

        Assert.Equal(CoordinatorPhase.Active, coordinator.Phase);
        return coordinator;
    }

    private static RegionReport Report(long reign, params HostedShard[] shards) => new(reign, true, 1, [.. shards], shards.Length == 0 ? 0 : shards.Max(s => s.Epoch));

    internal static CurrentClusterState State(params (UniqueAddress Node, MemberStatus Status)[] members) =>
        new(
            members[0].Node,
            [.. members.Select((member, index) => new Member(member.Node, member.Status, ["worker"], index + 1))],
            [],
            members[0].Node,
            IsConverged: true);
}
