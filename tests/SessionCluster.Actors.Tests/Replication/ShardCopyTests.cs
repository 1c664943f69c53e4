using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;

namespace SessionCluster.Actors.Tests.Replication;

/// <summary>Copying a shard to a new backup: bounded slices, a window of unacknowledged ones, re-sends, completion.</summary>
public sealed class ShardCopyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly NodeAddress B = new("b", 1);
    private static readonly TimeSpan Resend = TimeSpan.FromMilliseconds(300);

    [Fact]
    public void Slices_stay_within_the_size_and_the_window_and_together_hold_every_session_once()
    {
        var sessions = Enumerable.Range(0, 100).Select(i => Big((UInt128)i, 1_000)).ToList();
        var copy = new ShardCopy(3, 9, B, sessions, chunkBytes: 10_000, window: 2);

        var first = copy.Due(T0, Resend);
        Assert.Equal([0, 1], first.Select(slice => slice.Chunk));
        Assert.Empty(copy.Due(T0, Resend));

        var all = new List<ReplicaCopy>(first);
        var now = T0;
        while (!copy.IsComplete)
        {
            foreach (var slice in all.Where(slice => slice.Chunk < copy.ChunkCount).ToList())
            {
                copy.Acknowledged(slice.Chunk);
            }

            var next = copy.Due(now, Resend);
            Assert.True(next.Count <= 2);
            all.AddRange(next);
        }

        Assert.True(copy.ChunkCount >= 10, $"{copy.ChunkCount} slices");
        Assert.All(all, slice => Assert.Equal((3, 9L, copy.ChunkCount), (slice.Shard, slice.Epoch, slice.ChunkCount)));
        Assert.Equal(sessions.Select(s => s.Id), all.DistinctBy(slice => slice.Chunk).OrderBy(slice => slice.Chunk).SelectMany(slice => slice.Sessions).Select(s => s.Id));
    }

    [Fact]
    public void An_unacknowledged_slice_goes_again_after_the_interval_and_an_empty_shard_is_one_empty_slice()
    {
        var copy = new ShardCopy(0, 1, B, [], chunkBytes: 1_000, window: 4);
        var first = Assert.Single(copy.Due(T0, Resend));
        Assert.Empty(first.Sessions);
        Assert.Empty(copy.Due(T0 + Resend - TimeSpan.FromTicks(1), Resend));
        Assert.Equal(0, Assert.Single(copy.Due(T0 + Resend, Resend)).Chunk);

        copy.Acknowledged(0);
        copy.Acknowledged(0);
        copy.Acknowledged(5);

        Assert.True(copy.IsComplete);
        Assert.Empty(copy.Due(T0.AddSeconds(5), Resend));
    }

    private static SessionCrdt Big(UInt128 id, int bytes) =>
        SessionCrdt.Create(id, T0, TimeSpan.FromMinutes(30))
            .Set("v", new byte[bytes], new HlcTimestamp(T0.UtcTicks, 1, new ReplicaId("a"))).State;
}
