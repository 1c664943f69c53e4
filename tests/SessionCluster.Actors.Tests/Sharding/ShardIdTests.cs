using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.Actors.Tests.Sharding;

public sealed class ShardIdTests
{
    // Computed once with an independent FNV-1a implementation (Python) and frozen: if one of these changes, every
    // deployed cluster would route sessions to the wrong home after an upgrade.
    [Theory]
    [InlineData("00000000000000000000000000000000", 9808874869469701221UL, 21, 221, 0)]
    [InlineData("00000000000000000000000000000001", 9808873769958073010UL, 10, 10, 4)]
    [InlineData("ffffffffffffffffffffffffffffffff", 15447475403222018133UL, 33, 133, 5)]
    [InlineData("0123456789abcdef0123456789abcdef", 4419054018146984101UL, 1, 101, 4)]
    [InlineData("8f3c2a0d5e6b4f718293a4b5c6d7e8f9", 16756921118282333400UL, 0, 400, 6)]
    [InlineData("deadbeefdeadbeefdeadbeefdeadbeef", 9598026980600779797UL, 97, 797, 6)]
    public void Hash_and_shard_match_the_pinned_vectors(string id, ulong hash, int of100, int of1000, int of7)
    {
        Assert.True(SessionId.TryParse(id, out var sessionId));
        Assert.Equal(hash, ShardId.Hash(sessionId));
        Assert.Equal(of100, ShardId.Of(sessionId, 100));
        Assert.Equal(of1000, ShardId.Of(sessionId, 1000));
        Assert.Equal(of7, ShardId.Of(sessionId, 7));
    }

    [Fact]
    public void Random_ids_spread_evenly_over_the_shards()
    {
        var counts = new int[100];
        for (var i = 0; i < 100_000; i++)
        {
            counts[ShardId.Of(SessionId.New(), 100)]++;
        }

        // 1000 expected per shard, standard deviation ~31: 800..1200 is more than six deviations either way.
        Assert.All(counts, count => Assert.InRange(count, 800, 1200));
    }

    [Fact]
    public void A_shard_count_below_one_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ShardId.Of(SessionId.New(), 0));

    [Fact]
    public void One_shard_takes_every_id() => Assert.Equal(0, ShardId.Of(SessionId.New(), 1));
}
