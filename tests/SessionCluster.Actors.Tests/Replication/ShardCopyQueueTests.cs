using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;

namespace SessionCluster.Actors.Tests.Replication;

/// <summary>The copy throttle: at most a few copies send at once, first come first served, a stalled one yields its turn.</summary>
public sealed class ShardCopyQueueTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly NodeAddress B = new("b", 1);
    private static readonly NodeAddress C = new("c", 1);
    private static readonly TimeSpan Resend = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan MaxResend = TimeSpan.FromSeconds(3);
    private static readonly SliceMessage<ReplicaCopy> ReplicaSlice = (shard, epoch, chunk, chunkCount, sessions) => new(shard, epoch, chunk, chunkCount, sessions);
    private static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(6);

    [Fact]
    public void Copies_take_their_turns_in_the_order_asked_for_whatever_their_shard_or_epoch()
    {
        var queue = new ShardCopyQueue(maxSending: 2, StallAfter);
        queue.Enqueue(Copy(shard: 7, epoch: 30, B));
        queue.Enqueue(Copy(shard: 2, epoch: 31, C));
        queue.Enqueue(Copy(shard: 1, epoch: 5, B));
        queue.Enqueue(Copy(shard: 0, epoch: 40, C));

        Assert.Equal([7, 2], Shards(queue.Due(T0)));
        Assert.Equal((4, 2), (queue.Count, queue.Sending));

        // Shard 2's completes: shard 1's, asked for next, takes the turn; shard 7's is not due again yet.
        queue.Acknowledged(C, new ReplicaCopyAck(2, 31, 0), T0.AddMilliseconds(10));
        Assert.Equal([1], Shards(queue.Due(T0.AddMilliseconds(10))));

        queue.Acknowledged(B, new ReplicaCopyAck(7, 30, 0), T0.AddMilliseconds(20));
        Assert.Equal([0], Shards(queue.Due(T0.AddMilliseconds(20))));
        Assert.Equal((2, 2), (queue.Count, queue.Sending));
    }

    [Fact]
    public void A_copy_re_started_for_the_same_backup_keeps_its_place_and_its_turn()
    {
        var queue = new ShardCopyQueue(maxSending: 1, StallAfter);
        queue.Enqueue(Copy(shard: 3, epoch: 10, B));
        queue.Enqueue(Copy(shard: 4, epoch: 11, B));
        Assert.Equal([3], Shards(queue.Due(T0)));

        // A new epoch for shard 3 while its copy is under way: the new copy goes out at once, shard 4 still waits.
        queue.Enqueue(Copy(shard: 3, epoch: 12, B));
        var due = queue.Due(T0.AddMilliseconds(1));
        Assert.Equal([(3, 12L)], due.Select(d => (d.Slice.Shard, d.Slice.Epoch)));

        // An acknowledgement of the old epoch's copy does not count for the new one.
        queue.Acknowledged(B, new ReplicaCopyAck(3, 10, 0), T0.AddMilliseconds(2));
        Assert.Empty(queue.Due(T0.AddMilliseconds(2)));
        Assert.Equal(2, queue.Count);
    }

    [Fact]
    public void A_sending_copy_whose_backup_stays_silent_yields_its_turn_and_gets_it_back_in_order()
    {
        var queue = new ShardCopyQueue(maxSending: 1, StallAfter);
        queue.Enqueue(Copy(shard: 1, epoch: 10, B));
        queue.Enqueue(Copy(shard: 2, epoch: 10, C));
        Assert.Equal([1], Shards(queue.Due(T0)));

        // B never answers; shard 1's slice is re-sent with back-off (0.3, 0.9, 2.1, 4.5 s) until it has stalled for 6 s.
        var sent = new List<(double Seconds, int Shard)>();
        for (var ms = 100; ms <= 6_000; ms += 100)
        {
            sent.AddRange(queue.Due(T0.AddMilliseconds(ms)).Select(d => (ms / 1000.0, d.Slice.Shard)));
        }

        Assert.Equal([(0.3, 1), (0.9, 1), (2.1, 1), (4.5, 1), (6.0, 2)], sent);
        Assert.Equal((2, 1), (queue.Count, queue.Sending));

        // C finishes; shard 1's copy takes the turn again, its slice due by its own back-off (last sent at 4.5 s).
        queue.Acknowledged(C, new ReplicaCopyAck(2, 10, 0), T0.AddSeconds(6.1));
        Assert.Empty(queue.Due(T0.AddSeconds(6.1)));
        Assert.Equal(1, queue.Count);
        Assert.Equal([1], Shards(queue.Due(T0.AddSeconds(7.5))));
    }

    [Fact]
    public void A_silent_copy_keeps_its_turn_while_nothing_waits()
    {
        var queue = new ShardCopyQueue(maxSending: 1, StallAfter);
        queue.Enqueue(Copy(shard: 1, epoch: 10, B));
        queue.Due(T0);

        queue.Due(T0.AddSeconds(60));

        Assert.Equal((1, 1), (queue.Count, queue.Sending));
    }

    [Fact]
    public void Forgotten_copies_leave_the_queue_whether_sending_or_waiting()
    {
        var queue = new ShardCopyQueue(maxSending: 1, StallAfter);
        queue.Enqueue(Copy(shard: 1, epoch: 10, B));
        queue.Enqueue(Copy(shard: 1, epoch: 10, C));
        queue.Enqueue(Copy(shard: 2, epoch: 10, C));
        queue.Due(T0);

        queue.Forget(1, to => to.Equals(B));
        Assert.Equal([(1, C)], queue.Due(T0.AddMilliseconds(1)).Select(d => (d.Slice.Shard, d.To)));

        queue.Forget(1, _ => true);
        Assert.Equal([2], Shards(queue.Due(T0.AddMilliseconds(2))));
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public void Many_copies_to_a_slow_backup_all_complete_with_never_more_than_the_limit_in_flight()
    {
        var queue = new ShardCopyQueue(maxSending: 3, StallAfter);
        var sessions = Enumerable.Range(0, 6).Select(i => SessionCrdt.Create((UInt128)i, T0, TimeSpan.Zero)).ToList();
        var chunks = 0;
        for (var shard = 0; shard < 20; shard++)
        {
            var copy = new ShardCopy<ReplicaCopy>(shard, 1, B, sessions, ReplicaSlice, chunkBytes: 100, window: 2, Resend, MaxResend);
            chunks += copy.ChunkCount;
            queue.Enqueue(copy);
        }

        // The backup acknowledges each slice 250 ms after it was sent (slow, but no loss).
        var inFlight = new List<(DateTimeOffset AckAt, ReplicaCopy Slice)>();
        var sent = 0;
        var now = T0;
        while (queue.Count > 0 && now < T0.AddMinutes(5))
        {
            foreach (var (ackAt, slice) in inFlight.Where(entry => entry.AckAt <= now).ToList())
            {
                inFlight.Remove((ackAt, slice));
                queue.Acknowledged(B, new ReplicaCopyAck(slice.Shard, slice.Epoch, slice.Chunk), now);
            }

            var due = queue.Due(now);
            sent += due.Count;
            inFlight.AddRange(due.Select(d => (now.AddMilliseconds(250), d.Slice)));
            Assert.True(inFlight.Select(entry => entry.Slice.Shard).Distinct().Count() <= 3, $"{now - T0}: copies in flight {string.Join(",", inFlight.Select(e => e.Slice.Shard).Distinct())}");
            Assert.True(inFlight.Count <= 3 * 2);
            now = now.AddMilliseconds(50);
        }

        Assert.Equal(0, queue.Count);
        // Slow is not lost: no slice went twice.
        Assert.True(chunks >= 40, $"{chunks} slices");
        Assert.Equal(chunks, sent);
    }

    private static ShardCopy<ReplicaCopy> Copy(int shard, long epoch, NodeAddress to) =>
        new(shard, epoch, to, [], ReplicaSlice, chunkBytes: 1_000, window: 1, Resend, MaxResend);

    private static List<int> Shards(IReadOnlyList<(NodeAddress To, ReplicaCopy Slice)> due) => [.. due.Select(d => d.Slice.Shard)];
}
