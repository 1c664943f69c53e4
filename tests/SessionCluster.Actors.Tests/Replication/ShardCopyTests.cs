using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.Actors.Tests.Replication;

/// <summary>Copying a shard to a new backup: bounded slices, a window of unacknowledged ones, re-sends with back-off,
/// completion.</summary>
public sealed class ShardCopyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly NodeAddress B = new("b", 1);
    private static readonly TimeSpan Resend = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan MaxResend = TimeSpan.FromSeconds(3);
    private static readonly SliceMessage<ReplicaCopy> ReplicaSlice = (shard, epoch, chunk, chunkCount, sessions) => new(shard, epoch, chunk, chunkCount, sessions);

    [Fact]
    public void Slices_stay_within_the_size_and_the_window_and_together_hold_every_session_once()
    {
        var sessions = Enumerable.Range(0, 100).Select(i => Big((UInt128)i, 1_000)).ToList();
        var copy = new ShardCopy<ReplicaCopy>(3, 9, B, sessions, ReplicaSlice, chunkBytes: 10_000, window: 2, Resend, MaxResend);

        var first = copy.Due(T0);
        Assert.Equal([0, 1], first.Select(slice => slice.Chunk));
        Assert.Empty(copy.Due(T0));

        var all = new List<ReplicaCopy>(first);
        var now = T0;
        while (!copy.IsComplete)
        {
            foreach (var slice in all.Where(slice => slice.Chunk < copy.ChunkCount).ToList())
            {
                copy.Acknowledged(slice.Chunk, now);
            }

            var next = copy.Due(now);
            Assert.True(next.Count <= 2);
            all.AddRange(next);
        }

        Assert.True(copy.ChunkCount >= 10, $"{copy.ChunkCount} slices");
        Assert.All(all, slice => Assert.Equal((3, 9L, copy.ChunkCount), (slice.Shard, slice.Epoch, slice.ChunkCount)));
        Assert.All(all, slice => Assert.InRange(
            ShardingWireFormat.ToWire(new ShardTransfer(slice.Shard, slice.Epoch, slice.Chunk, slice.ChunkCount, slice.Sessions)).CalculateSize(), 1, 10_000));
        Assert.Equal(sessions.Select(s => s.Id), all.DistinctBy(slice => slice.Chunk).OrderBy(slice => slice.Chunk).SelectMany(slice => slice.Sessions).Select(s => s.Id));
    }

    [Fact]
    public void An_unacknowledged_slice_goes_again_after_the_interval_and_an_empty_shard_is_one_empty_slice()
    {
        var copy = new ShardCopy<ReplicaCopy>(0, 1, B, [], ReplicaSlice, chunkBytes: 1_000, window: 4, Resend, MaxResend);
        var first = Assert.Single(copy.Due(T0));
        Assert.Empty(first.Sessions);
        Assert.Empty(copy.Due(T0 + Resend - TimeSpan.FromTicks(1)));
        Assert.Equal(0, Assert.Single(copy.Due(T0 + Resend)).Chunk);

        copy.Acknowledged(0, T0 + Resend);
        copy.Acknowledged(0, T0 + Resend);
        copy.Acknowledged(5, T0 + Resend);

        Assert.True(copy.IsComplete);
        Assert.Empty(copy.Due(T0.AddSeconds(5)));
    }

    [Fact]
    public void An_unacknowledged_slice_is_re_sent_after_waits_that_double_up_to_the_cap()
    {
        var copy = new ShardCopy<ReplicaCopy>(0, 1, B, [], ReplicaSlice, chunkBytes: 1_000, window: 4, Resend, MaxResend);
        Assert.Single(copy.Due(T0));

        // Sent at 0; again at 0.3 s, 0.9 s (+0.6), 2.1 s (+1.2), 4.5 s (+2.4), then every 3 s (the cap).
        var resentAt = new List<double>();
        for (var ms = 1; ms <= 12_000; ms++)
        {
            if (copy.Due(T0.AddMilliseconds(ms)).Count > 0)
            {
                resentAt.Add(ms);
            }
        }

        Assert.Equal([300, 900, 2_100, 4_500, 7_500, 10_500], resentAt);
    }

    [Theory]
    [InlineData(0, 300)]
    [InlineData(1, 300)]
    [InlineData(2, 600)]
    [InlineData(4, 2_400)]
    [InlineData(5, 3_000)]
    [InlineData(1_000, 3_000)]
    public void The_back_off_doubles_per_send_and_stops_at_the_cap(int sends, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), ResendBackOff.After(sends, Resend, MaxResend));

    [Fact]
    public void The_back_off_of_a_long_interval_does_not_overflow() =>
        Assert.Equal(TimeSpan.MaxValue, ResendBackOff.After(100, TimeSpan.FromDays(1_000), TimeSpan.MaxValue));

    [Fact]
    public void A_slice_sent_before_an_acknowledged_one_and_still_unacknowledged_was_lost_and_goes_again_at_once()
    {
        var sessions = Enumerable.Range(0, 3).Select(i => Big((UInt128)i, 1_000)).ToList();
        var copy = new ShardCopy<ReplicaCopy>(0, 1, B, sessions, ReplicaSlice, chunkBytes: 1_000, window: 3, Resend, MaxResend);
        Assert.Equal([0, 1, 2], copy.Due(T0).Select(slice => slice.Chunk));

        // Slice 1 is acknowledged 50 ms later; slice 0, sent before it on the same connection, never arrived.
        copy.Acknowledged(1, T0.AddMilliseconds(50));
        Assert.Equal(0, Assert.Single(copy.Due(T0.AddMilliseconds(50))).Chunk);

        // Slice 2 was sent after slice 1: only slow, it waits out its interval.
        Assert.Empty(copy.Due(T0.AddMilliseconds(299)));
        Assert.Equal(2, Assert.Single(copy.Due(T0.AddMilliseconds(300))).Chunk);
    }

    [Fact]
    public void Progress_is_the_last_new_acknowledgement()
    {
        var sessions = Enumerable.Range(0, 2).Select(i => Big((UInt128)i, 1_000)).ToList();
        var copy = new ShardCopy<ReplicaCopy>(0, 1, B, sessions, ReplicaSlice, chunkBytes: 1_000, window: 2, Resend, MaxResend);
        Assert.Null(copy.LastProgress);

        copy.Due(T0);
        Assert.Equal(T0, copy.LastProgress);
        Assert.Equal(2, copy.InFlight);

        copy.Acknowledged(0, T0.AddSeconds(1));
        copy.Acknowledged(0, T0.AddSeconds(2));
        Assert.Equal(T0.AddSeconds(1), copy.LastProgress);
        Assert.Equal(1, copy.InFlight);
    }

    [Fact]
    public void With_an_offer_each_slice_goes_as_the_offer_until_the_receiver_asks_for_it_in_full()
    {
        var sessions = Enumerable.Range(0, 30).Select(i => Big((UInt128)i, 1_000)).ToList();
        SliceMessage<IRegionMessage> full = (shard, epoch, chunk, chunkCount, slice) => new ShardTransfer(shard, epoch, chunk, chunkCount, slice);
        var copy = new ShardCopy<IRegionMessage>(3, 9, B, sessions, full, chunkBytes: 10_000, window: 2, Resend, MaxResend, ShardTransferOffers.Of);

        var first = copy.Due(T0);
        Assert.Equal(2, first.Count);
        Assert.All(first, slice => Assert.IsType<ShardTransferOffer>(slice));
        var offeredIds = first.Cast<ShardTransferOffer>().SelectMany(offer => offer.Sessions).Select(offered => offered.SessionId).ToList();
        Assert.Equal(sessions.Take(offeredIds.Count).Select(s => s.Id), offeredIds);
        var offered = (ShardTransferOffer)first[1];

        copy.SendInFull(1, T0);
        var again = Assert.IsType<ShardTransfer>(Assert.Single(copy.Due(T0)));
        Assert.Equal(1, again.Chunk);
        Assert.Equal(offered.Sessions.Select(s => s.SessionId), again.Sessions.Select(s => s.Id));

        // A second refusal, one for a slice not sent yet and one for an acknowledged slice change nothing; slice 0 stays an offer.
        copy.SendInFull(1, T0);
        copy.SendInFull(5, T0);
        copy.Acknowledged(0, T0);
        copy.SendInFull(0, T0);
        var next = Assert.Single(copy.Due(T0));
        Assert.Equal(2, Assert.IsType<ShardTransferOffer>(next).Chunk);
        // Re-sent after the interval, each slice as it last went: 1 in full, 2 still an offer.
        var resent = copy.Due(T0 + Resend);
        Assert.Equal([(1, typeof(ShardTransfer)), (2, typeof(ShardTransferOffer))], resent.Select(slice => (ChunkOf(slice), slice.GetType())));
    }

    private static int ChunkOf(IRegionMessage slice) => slice switch
    {
        ShardTransfer transfer => transfer.Chunk,
        ShardTransferOffer offer => offer.Chunk,
        _ => -1,
    };

    [Fact]
    public void Without_an_offer_asking_for_a_slice_in_full_changes_nothing()
    {
        var copy = new ShardCopy<ReplicaCopy>(0, 1, B, [Big(1, 10)], ReplicaSlice, chunkBytes: 1_000, window: 4, Resend, MaxResend);
        Assert.Single(copy.Due(T0));

        copy.SendInFull(0, T0);

        Assert.Empty(copy.Due(T0));
    }

    private static SessionCrdt Big(UInt128 id, int bytes) =>
        SessionCrdt.Create(id, T0, TimeSpan.FromMinutes(30))
            .Set("v", new byte[bytes], new HlcTimestamp(T0.UtcTicks, 1, new ReplicaId("a"))).State;
}
