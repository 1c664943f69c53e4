using System.Collections.Immutable;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sharding;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>Whole-shard copies to new backups are sent a few at a time, in the order asked for, the next as one completes.</summary>
public sealed class ShardReplicasCopyThrottleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly NodeAddress Backup = new("b", 1);

    [Fact]
    public void At_most_max_concurrent_copies_are_sent_at_once_and_a_waiting_one_starts_when_one_completes()
    {
        var transport = new RecordingTransport();
        var settings = ReplicationSettings.Default with { MaxConcurrentCopies = 2, CopyWindow = 1 };
        var replicas = new ShardReplicas(10, settings, transport, new ManualTimeProvider());
        for (var shard = 0; shard < 5; shard++)
        {
            var session = SessionCrdt.Create((UInt128)(1000 + shard), T0, TimeSpan.FromMinutes(30));
            replicas.Replicate(new ReplicateShard(shard, Epoch: 10 + shard, [Backup]), () => [session], chunkBytes: 1024, T0);
        }

        Assert.Equal([0, 1], transport.CopiedShards());
        Assert.Equal(5, replicas.CopiesInFlight);

        // Nothing acknowledged: the same two are re-sent after the resend interval, the others still wait.
        transport.Sent.Clear();
        replicas.SendCopies(T0 + settings.ResendInterval);
        Assert.Equal([0, 1], transport.CopiedShards());

        // Shard 0's copy completes: the oldest waiting one (shard 2) starts at once, without waiting for a tick.
        transport.Sent.Clear();
        replicas.CopyAcknowledged(Backup, new ReplicaCopyAck(0, 10, 0), T0 + settings.ResendInterval);
        Assert.Equal([2], transport.CopiedShards());
        Assert.Equal(4, replicas.CopiesInFlight);
        Assert.Equal(2, replicas.CopiesSending);
    }

    [Fact]
    public void A_copy_whose_backup_changed_is_dropped_while_it_waits_and_the_next_one_takes_the_turn()
    {
        var transport = new RecordingTransport();
        var settings = ReplicationSettings.Default with { MaxConcurrentCopies = 1, CopyWindow = 1 };
        var replicas = new ShardReplicas(10, settings, transport, new ManualTimeProvider());
        var other = new NodeAddress("c", 1);
        for (var shard = 0; shard < 3; shard++)
        {
            var session = SessionCrdt.Create((UInt128)(1000 + shard), T0, TimeSpan.FromMinutes(30));
            replicas.Replicate(new ReplicateShard(shard, Epoch: 10 + shard, [Backup]), () => [session], chunkBytes: 1024, T0);
        }

        // Shard 1 now backs up to another node: its waiting copy to the old backup goes, and a copy to the new one
        // queues behind shard 2's. Shard 0 leaves this node altogether.
        replicas.Replicate(new ReplicateShard(1, Epoch: 20, [other]), () => [], chunkBytes: 1024, T0);
        replicas.Untarget(0);
        transport.Sent.Clear();
        replicas.SendCopies(T0);

        Assert.Equal([2], transport.CopiedShards());
        Assert.Equal(2, replicas.CopiesInFlight);
    }

    [Fact]
    public void The_same_allocation_repeated_leaves_a_copy_under_way_alone_and_a_new_epoch_restarts_it()
    {
        // Seen in ReplicationSimulationTests seed 161 with one copy at a time: a repeated allocation replaced a waiting
        // copy by one of more slices under the same epoch; the backup counted slices of both towards one copy, never
        // saw it whole, and the home, every slice acknowledged, forgot it: replication was never restored.
        var transport = new RecordingTransport();
        var settings = ReplicationSettings.Default with { MaxConcurrentCopies = 1, CopyWindow = 1 };
        var replicas = new ShardReplicas(10, settings, transport, new ManualTimeProvider());
        SessionCrdt[] Sessions(int count) => [.. Enumerable.Range(0, count).Select(i => SessionCrdt.Create((UInt128)(1000 + i), T0, TimeSpan.FromMinutes(30)))];
        replicas.Replicate(new ReplicateShard(1, Epoch: 7, [Backup]), () => Sessions(2), chunkBytes: 64, T0);
        var first = Assert.Single(transport.Sent.Select(sent => sent.Message).OfType<ReplicaCopy>());
        Assert.Equal((0, 2), (first.Chunk, first.ChunkCount));

        transport.Sent.Clear();
        replicas.Replicate(new ReplicateShard(1, Epoch: 7, [Backup]), () => Sessions(5), chunkBytes: 64, T0.AddMilliseconds(1));
        Assert.Empty(transport.Sent);

        replicas.CopyAcknowledged(Backup, new ReplicaCopyAck(1, 7, 0), T0.AddMilliseconds(2));
        var second = Assert.Single(transport.Sent.Select(sent => sent.Message).OfType<ReplicaCopy>());
        Assert.Equal((1, 2, 7L), (second.Chunk, second.ChunkCount, second.Epoch));

        transport.Sent.Clear();
        replicas.Replicate(new ReplicateShard(1, Epoch: 8, [Backup]), () => Sessions(5), chunkBytes: 64, T0.AddMilliseconds(3));
        var restarted = Assert.Single(transport.Sent.Select(sent => sent.Message).OfType<ReplicaCopy>());
        Assert.Equal((0, 5, 8L), (restarted.Chunk, restarted.ChunkCount, restarted.Epoch));
        Assert.Equal(1, replicas.CopiesInFlight);
    }

    private sealed class RecordingTransport : ITransport
    {
        public List<(NodeAddress To, object Message)> Sent { get; } = [];

        public UniqueAddress Self { get; } = new(new NodeAddress("a", 1), 1);

        public List<int> CopiedShards() => [.. Sent.Select(sent => sent.Message).OfType<ReplicaCopy>().Select(copy => copy.Shard).Distinct().Order()];

        public Task StartAsync(ITransportHandler handler, CancellationToken cancellationToken) => Task.CompletedTask;

        public bool Send(NodeAddress to, object message)
        {
            Sent.Add((to, message));
            return true;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
