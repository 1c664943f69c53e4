using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>A session's fingerprint is computed once per state: a read keeps it, a write makes a state that has none yet.</summary>
public sealed class SessionDigestTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ReplicaId Writer = new("10.0.0.1:4000#1");

    [Fact]
    public void A_state_keeps_its_fingerprint_and_a_read_passes_it_on_but_a_write_does_not()
    {
        var state = SessionCrdt.Create(7, T0, TimeSpan.FromMinutes(30)).Set("cart", "[1]"u8.ToArray(), new HlcTimestamp(T0.UtcTicks, 1, Writer)).State;
        Assert.Equal(0UL, state.CachedDigest);

        var digest = SessionDigest.Of(state);

        Assert.Equal(digest, state.CachedDigest);
        var read = state.Accessed(T0.AddMinutes(1));
        Assert.NotSame(state, read);
        Assert.Equal(digest, read.CachedDigest);
        var written = read.Set("cart", "[1,2]"u8.ToArray(), new HlcTimestamp(T0.UtcTicks, 2, Writer)).State;
        Assert.Equal(0UL, written.CachedDigest);
        Assert.NotEqual(digest, SessionDigest.Of(written));
    }

    [Fact]
    public void The_kept_fingerprint_is_the_one_a_fresh_copy_of_the_state_computes()
    {
        var state = SessionCrdt.Create(7, T0, TimeSpan.FromMinutes(30)).Set("cart", "[1]"u8.ToArray(), new HlcTimestamp(T0.UtcTicks, 1, Writer)).State;
        var kept = SessionDigest.Of(state.Accessed(T0.AddMinutes(1)));

        // Decoded from the wire: the same state, with nothing kept.
        var copy = SessionCrdtWireFormat.FromWire(SessionCrdtWireFormat.ToWire(state.Accessed(T0.AddMinutes(2))));

        Assert.Equal(0UL, copy.CachedDigest);
        Assert.Equal(kept, SessionDigest.Of(copy));
        Assert.Equal(kept, SessionDigest.Of(state));
    }
}
