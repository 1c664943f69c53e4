using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>The region's replica rules: a home learns its backups, a backup keeps, reports and drops its copy.</summary>
public sealed class ShardRegionBackupTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly UniqueAddress A = new(new NodeAddress("a", 1), 1);
    private static readonly UniqueAddress B = new(new NodeAddress("b", 1), 2);
    private static readonly UniqueAddress C = new(new NodeAddress("c", 1), 3);
    private static readonly ShardingSettings Settings = ShardingSettings.Default with { NumberOfShards = 10 };

    [Fact]
    public void A_home_is_told_its_backups_when_they_or_the_epoch_change_and_not_on_a_repeat()
    {
        var region = Following(A);
        Assert.DoesNotContain(region.Receive(A, Homes(new ShardAllocation(3, A.Address, 5)), T0), effect => effect is ReplicateShard);

        var withBackup = region.Receive(A, Homes(new ShardAllocation(3, A.Address, 6, [B.Address])), T0);
        var replicate = Assert.Single(withBackup.OfType<ReplicateShard>());
        Assert.Equal((3, 6L), (replicate.Shard, replicate.Epoch));
        Assert.Equal<NodeAddress>([B.Address], replicate.Backups);

        Assert.Empty(region.Receive(A, Homes(new ShardAllocation(3, A.Address, 6, [B.Address])), T0));
    }

    [Fact]
    public void A_backup_keeps_its_copy_reports_it_and_tells_the_coordinator_once_the_copy_is_whole()
    {
        var region = Following(B);
        var effects = region.Receive(A, Homes(new ShardAllocation(3, A.Address, 5, [B.Address])), T0);

        Assert.Equal(new KeepBackup(3, A.Address, 5), Assert.Single(effects.OfType<KeepBackup>()));
        Assert.Equal<HostedShard>([new HostedShard(3, 5, HostedShardStatus.Backup)], region.HeldShards);

        var copied = region.BackupCopied(3);

        Assert.Equal(new SendToNode(A.Address, new BackupSynced(1, 3, 5)), Assert.Single(copied));
        Assert.Equal<HostedShard>([new HostedShard(3, 5, HostedShardStatus.SyncedBackup)], region.HeldShards);
        Assert.Empty(region.BackupCopied(3));

        // A new epoch that keeps this backup: still whole, and the coordinator hears it for the new epoch.
        var renewed = region.Receive(A, Homes(new ShardAllocation(3, A.Address, 7, [C.Address, B.Address])), T0);
        Assert.Contains(new SendToNode(A.Address, new BackupSynced(1, 3, 7)), renewed);
        Assert.Contains(new KeepBackup(3, A.Address, 7), renewed);
    }

    [Fact]
    public void A_synced_backup_reports_again_when_the_coordinator_repeats_the_allocation_so_a_lost_report_is_made_good()
    {
        var region = Following(B);
        var allocation = Homes(new ShardAllocation(3, A.Address, 5, [B.Address]));
        region.Receive(A, allocation, T0);
        Assert.Equal([new SendToNode(A.Address, new BackupSynced(1, 3, 5))], region.BackupCopied(3));

        // The report above is lost; the coordinator's periodic full broadcast repeats the allocation unchanged.
        var repeated = region.Receive(A, allocation, T0.AddSeconds(5));

        Assert.Contains(new SendToNode(A.Address, new BackupSynced(1, 3, 5)), repeated);
        Assert.Contains(new KeepBackup(3, A.Address, 5), repeated);
    }

    [Fact]
    public void A_backup_still_copying_does_not_report_on_a_repeated_allocation()
    {
        var region = Following(B);
        var allocation = Homes(new ShardAllocation(3, A.Address, 5, [B.Address]));
        region.Receive(A, allocation, T0);

        Assert.Equal([new KeepBackup(3, A.Address, 5)], region.Receive(A, allocation, T0.AddSeconds(5)));
    }

    [Fact]
    public void A_backup_left_out_of_a_newer_allocation_drops_its_copy_and_a_promoted_one_starts_the_shard()
    {
        var region = Following(B);
        region.Receive(A, Homes(new ShardAllocation(3, A.Address, 5, [B.Address]), new ShardAllocation(4, A.Address, 5, [B.Address])), T0);

        var dropped = region.Receive(A, Homes(new ShardAllocation(3, A.Address, 6, [C.Address])), T0);
        Assert.Equal([new DropBackup(3)], dropped);

        var promoted = region.Receive(A, Homes(new ShardAllocation(4, B.Address, 6, [C.Address])), T0);
        Assert.Contains(promoted, effect => effect is StartShard { Shard: 4 });
        Assert.DoesNotContain(promoted, effect => effect is DropBackup);
        Assert.Equal<HostedShard>([new HostedShard(4, 6, HostedShardStatus.Active)], region.HeldShards);
    }

    [Fact]
    public void The_old_home_of_a_confirmed_move_named_its_backup_keeps_what_it_handed_over_as_a_whole_copy()
    {
        var region = HandedOffToC(backups: [C.Address]);

        var confirmed = region.Receive(A, Homes(new ShardAllocation(3, C.Address, 6, [B.Address])), T0);

        Assert.Equal(
            [new KeepShardAsBackup(3, C.Address, 6), new SendToNode(A.Address, new BackupSynced(1, 3, 6)), new KeepBackup(3, C.Address, 6)],
            confirmed);
        Assert.Equal<HostedShard>([new HostedShard(3, 6, HostedShardStatus.SyncedBackup)], region.HeldShards);
    }

    [Fact]
    public void The_old_home_of_a_confirmed_move_not_named_a_backup_drops_the_shard()
    {
        var region = HandedOffToC(backups: [A.Address]);

        Assert.Equal([new DropShard(3, HandedOffTo: C.Address)], region.Receive(A, Homes(new ShardAllocation(3, C.Address, 6, [A.Address])), T0));
        Assert.Empty(region.HeldShards);
    }

    [Fact]
    public void An_allocation_older_than_the_one_applied_changes_no_backup()
    {
        var region = Following(B);
        region.Receive(A, Homes(new ShardAllocation(3, A.Address, 5, [B.Address])), T0);

        Assert.Empty(region.Receive(A, Homes(new ShardAllocation(3, A.Address, 4, [C.Address])), T0));
        Assert.Equal<HostedShard>([new HostedShard(3, 5, HostedShardStatus.Backup)], region.HeldShards);
    }

    [Fact]
    public void An_allocation_naming_a_downed_home_holds_requests_until_the_successor_is_named()
    {
        var region = new ShardRegion(C, hostsShards: false, Settings, TimeSpan.FromSeconds(5));
        region.MembershipChanged(ShardRegionTests.State(A, B, C), T0);
        region.Receive(A, new QueryRegion(1), T0);
        region.MembershipChanged(ShardRegionTests.State(A, C), T0);
        var session = Enumerable.Range(0, 10_000).Select(i => new SessionId(new UInt128(7, (ulong)i))).First(id => region.ShardOf(id) == 3);

        Assert.Empty(region.Receive(A, Homes(new ShardAllocation(3, B.Address, 5, [A.Address])), T0));
        var held = region.Submit(1, new SetAttribute(session, "a", "1"u8.ToArray()), T0);

        Assert.DoesNotContain(held, effect => effect is SendToNode { Message: ShardEnvelope });
        Assert.Equal((null, 5L), region.HomeOf(3));
        var promoted = region.Receive(A, Homes(new ShardAllocation(3, A.Address, 6)), T0);
        var sent = Assert.Single(promoted.OfType<SendToNode>(), send => send.Message is ShardEnvelope);
        Assert.Equal(A.Address, sent.To);
    }

    [Fact]
    public void A_move_target_that_is_also_a_backup_keeps_its_copy_when_the_backup_allocation_arrives_after_the_first_slice()
    {
        var region = Following(B);
        var session = SessionCrdt.Create(1, T0, TimeSpan.FromMinutes(30));

        // The old home's first slice (epoch 9) overtakes the coordinator's allocation naming B a backup (epoch 8).
        region.Receive(A, new ShardTransfer(3, 9, 0, 2, [session]), T0);
        var effects = region.Receive(A, Homes(new ShardAllocation(3, A.Address, 8, [B.Address])), T0);

        Assert.Contains(new KeepBackup(3, A.Address, 8), effects);
    }

    [Fact]
    public void A_read_for_a_shard_whose_home_died_goes_to_a_live_backup_once_and_writes_wait()
    {
        var region = new ShardRegion(C, hostsShards: false, Settings, TimeSpan.FromSeconds(5));
        region.MembershipChanged(ShardRegionTests.State(A, B, C), T0);
        region.Receive(A, new QueryRegion(1), T0);
        region.Receive(A, Homes(new ShardAllocation(3, B.Address, 5, [A.Address])), T0);
        region.MembershipChanged(ShardRegionTests.State(A, C), T0);
        var session = Enumerable.Range(0, 10_000).Select(i => new SessionId(new UInt128(7, (ulong)i))).First(id => region.ShardOf(id) == 3);

        var read = region.Submit(1, new GetSession(session), T0);
        var write = region.Submit(2, new IncrementAttribute(session, "n", 1, 9), T0);

        var sent = Assert.Single(read.OfType<SendToNode>(), send => send.Message is BackupRead);
        Assert.Equal(A.Address, sent.To);
        Assert.Equal(new BackupRead(1, C.Address, 3, 5, new GetSession(session)), sent.Message);
        Assert.DoesNotContain(write, effect => effect is SendToNode { Message: BackupRead or ShardEnvelope });

        // A backup without a whole copy refuses: the read waits for the promotion like the write.
        Assert.DoesNotContain(region.Receive(A, new ShardNotHere(1, 3, null, 5), T0), effect => effect is SendToNode { Message: BackupRead });
        var promoted = region.Receive(A, Homes(new ShardAllocation(3, A.Address, 6)), T0);
        Assert.Equal(2, promoted.OfType<SendToNode>().Count(send => send.Message is ShardEnvelope));
    }

    [Fact]
    public void A_read_waiting_at_a_home_that_becomes_unreachable_is_asked_of_a_reachable_backup_and_a_write_stays()
    {
        var region = new ShardRegion(C, hostsShards: false, Settings, TimeSpan.FromSeconds(5));
        region.MembershipChanged(ShardRegionTests.State(A, B, C), T0);
        region.Receive(A, new QueryRegion(1), T0);
        region.Receive(A, Homes(new ShardAllocation(3, B.Address, 5, [A.Address])), T0);
        var session = Enumerable.Range(0, 10_000).Select(i => new SessionId(new UInt128(7, (ulong)i))).First(id => region.ShardOf(id) == 3);
        Assert.Contains(region.Submit(1, new GetSession(session), T0), effect => effect is SendToNode { Message: ShardEnvelope } send && send.To == B.Address);
        Assert.Contains(region.Submit(2, new IncrementAttribute(session, "n", 1, 9), T0), effect => effect is SendToNode { Message: ShardEnvelope });

        // B's process crashed: a refused connection makes it unreachable long before it is downed.
        var unreachable = region.MembershipChanged(WithUnreachable(ShardRegionTests.State(A, B, C), B), T0);

        var sent = Assert.Single(unreachable.OfType<SendToNode>());
        Assert.Equal(new SendToNode(A.Address, new BackupRead(1, C.Address, 3, 5, new GetSession(session))), sent);

        // A new read goes to the backup at once; a new write still goes to the home, where only it may be applied.
        var read = region.Submit(3, new GetAttribute(session, "n"), T0);
        Assert.Equal(A.Address, Assert.Single(read.OfType<SendToNode>(), send => send.Message is BackupRead).To);
        var write = region.Submit(4, new SetAttribute(session, "x", "1"u8.ToArray()), T0);
        Assert.Equal(B.Address, Assert.Single(write.OfType<SendToNode>(), send => send.Message is ShardEnvelope).To);

        // The backup cannot answer (no whole copy): the read goes back to the home rather than to the backup again.
        var refused = region.Receive(A, new ShardNotHere(3, 3, null, 5), T0);
        Assert.Equal(B.Address, Assert.Single(refused.OfType<SendToNode>()).To);
    }

    [Fact]
    public void A_read_of_an_unreachable_home_stays_there_when_its_backup_is_unreachable_too()
    {
        var region = new ShardRegion(C, hostsShards: false, Settings, TimeSpan.FromSeconds(5));
        region.MembershipChanged(ShardRegionTests.State(A, B, C), T0);
        region.Receive(A, new QueryRegion(1), T0);
        region.Receive(A, Homes(new ShardAllocation(3, B.Address, 5, [A.Address])), T0);
        region.MembershipChanged(WithUnreachable(ShardRegionTests.State(A, B, C), A, B), T0);
        var session = Enumerable.Range(0, 10_000).Select(i => new SessionId(new UInt128(7, (ulong)i))).First(id => region.ShardOf(id) == 3);

        var read = region.Submit(1, new GetSession(session), T0);

        Assert.Equal(new SendToNode(B.Address, new ShardEnvelope(1, C.Address, 3, 5, new GetSession(session))), Assert.Single(read.OfType<SendToNode>()));
    }

    private static CurrentClusterState WithUnreachable(CurrentClusterState state, params UniqueAddress[] unreachable) =>
        state with { Unreachable = [.. unreachable] };

    private static ShardRegion Following(UniqueAddress self)
    {
        var region = new ShardRegion(self, hostsShards: true, Settings, TimeSpan.FromSeconds(5));
        region.MembershipChanged(ShardRegionTests.State(A, B, C), T0);
        region.Receive(A, new QueryRegion(1), T0);
        return region;
    }

    private static ShardHomes Homes(params ShardAllocation[] allocations) => new(1, [.. allocations]);

    /// <summary>B served shard 3 (epoch 5, with these backups) and has handed all of it to C under epoch 6.</summary>
    private static ShardRegion HandedOffToC(NodeAddress[] backups)
    {
        var region = Following(B);
        region.Receive(A, Homes(new ShardAllocation(3, B.Address, 5, [.. backups])), T0);
        region.Receive(A, new HandOffShard(1, 3, C.Address, 6), T0);
        region.ShardCollected(3, [], T0);
        return region;
    }
}
