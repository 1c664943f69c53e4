using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>A hand-off slice offered as fingerprints, resolved against the new home's backup copy.</summary>
public sealed class ShardTransferOffersTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ReplicaId Writer = new("10.0.0.1:4000#1");

    [Fact]
    public void A_copy_holding_every_offered_session_gives_the_slice_with_the_old_homes_later_access_times()
    {
        var (one, two) = (Session(1, "\"a\""), Session(2, "\"b\""));
        var atHome = one.Accessed(T0.AddMinutes(5));   // a read at the old home that the copy has not heard of yet
        var offer = ShardTransferOffers.Of(7, 12, 1, 3, [atHome, two]);

        var slice = ShardTransferOffers.Resolve(offer, CopyOf(one, two));

        Assert.NotNull(slice);
        Assert.Equal((7, 12L, 1, 3), (slice.Shard, slice.Epoch, slice.Chunk, slice.ChunkCount));
        Assert.Equal([atHome, two], slice.Sessions.ToArray());
        Assert.Equal(T0.AddMinutes(5), slice.Sessions[0].LastAccessed);
    }

    [Fact]
    public void A_copy_that_lacks_a_session_or_holds_it_differently_or_ended_gives_nothing()
    {
        var (one, two) = (Session(1, "\"a\""), Session(2, "\"b\""));
        var offer = ShardTransferOffers.Of(7, 12, 0, 1, [one, two]);
        var behind = Session(2, "\"old\"");
        var ended = two.End(SessionEndReason.Invalidated, new HlcTimestamp(T0.UtcTicks + 10, 0, Writer)).State;

        Assert.Null(ShardTransferOffers.Resolve(offer, CopyOf(one)));
        Assert.Null(ShardTransferOffers.Resolve(offer, CopyOf(one, behind)));
        Assert.Null(ShardTransferOffers.Resolve(offer, CopyOf(one, ended)));
    }

    [Fact]
    public void An_empty_offer_resolves_to_an_empty_slice_whatever_the_copy()
    {
        var slice = ShardTransferOffers.Resolve(ShardTransferOffers.Of(7, 12, 0, 1, []), _ => null);

        Assert.NotNull(slice);
        Assert.Empty(slice.Sessions);
    }

    private static Func<UInt128, SessionCrdt?> CopyOf(params SessionCrdt[] copy) =>
        id => copy.FirstOrDefault(state => state.Id == id);

    private static SessionCrdt Session(UInt128 id, string json) =>
        SessionCrdt.Create(id, T0, TimeSpan.FromMinutes(30)).Set("v", System.Text.Encoding.UTF8.GetBytes(json), new HlcTimestamp(T0.UtcTicks, 1, Writer)).State;
}
