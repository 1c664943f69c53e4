using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Actors.Tests.Replication;

/// <summary>Replication input obeys the session limits as HTTP input does: a delta holding a session over them, or one
/// whose merge would be, is refused whole (not merged, not acknowledged) and counted; a copy slice is taken without
/// the sessions over them (each counted).</summary>
public sealed class ShardReplicaLimitTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly NodeAddress Home = new("127.0.0.1", 1);
    private static readonly ReplicaId Writer = new("127.0.0.1:1#1");
    private static readonly SessionSettings Limits = SessionClusterSettings.Default.Sessions with
    {
        MaxAttributes = 3,
        MaxValueBytes = 10,
        MaxSessionBytes = 40,
        MaxNameLength = 8,
    };

    [Theory]
    [InlineData("too-many-attributes")]
    [InlineData("value-too-large")]
    [InlineData("session-too-large")]
    [InlineData("name-too-long")]
    public void A_delta_over_the_limits_is_refused_and_not_merged(string breaks)
    {
        var replica = new ShardReplica(0, Home, 1, Limits);
        var session = Session(1, breaks switch
        {
            "too-many-attributes" => [("a", "1"), ("b", "1"), ("c", "1"), ("d", "1")],
            "value-too-large" => [("a", "\"123456789\"")],
            "session-too-large" => [("abcdefg1", "\"1234567\""), ("abcdefg2", "\"1234567\""), ("abcdefg3", "\"1234567\"")],   // 3 x 17 > 40 bytes
            _ => [("longer-than-8", "1")],
        });
        Assert.Contains(breaks switch { "too-many-attributes" => "attributes", "session-too-large" => "bytes", _ => "over the value or name limit" }, SessionCommands.LimitViolation(session, Limits));
        Assert.False(replica.ApplyDelta(1, session, T0), "no acknowledgement for a state over the limits");
        Assert.Null(replica.Get(session.Id));
        Assert.Equal(1, replica.RejectedOverLimit);
    }

    [Fact]
    public void Deltas_each_within_the_limits_whose_merge_is_not_are_refused_from_the_one_that_crosses()
    {
        var replica = new ShardReplica(0, Home, 1, Limits);
        var start = SessionCrdt.Create(5, T0, TimeSpan.FromMinutes(30));
        var (withAB, _) = (start.Set("a", "1"u8.ToArray(), Stamp(1)).State.Set("b", "1"u8.ToArray(), Stamp(2)).State, 0);
        var (_, deltaC) = withAB.Set("c", "1"u8.ToArray(), Stamp(3));
        var (_, deltaD) = withAB.Set("d", "1"u8.ToArray(), Stamp(4));   // a concurrent fourth attribute, as a forger would send

        Assert.True(replica.ApplyDelta(1, withAB, T0));
        Assert.True(replica.ApplyDelta(1, deltaC, T0));
        Assert.False(replica.ApplyDelta(1, deltaD, T0), "the fourth attribute would break max-attributes");

        Assert.Equal(3, replica.Get(5)!.AttributeCount);
        Assert.Null(replica.Get(5)!.Get("d"));
        Assert.Equal(1, replica.RejectedOverLimit);
    }

    [Fact]
    public void A_copy_slice_with_one_session_over_the_limits_is_taken_without_that_session()
    {
        var replica = new ShardReplica(0, Home, 1, Limits);
        var fine = Session(1, [("a", "1")]);
        var tooBig = Session(2, [("a", "\"this is far too long\"")]);
        var alsoFine = Session(3, [("b", "2")]);

        // Taken and acknowledged, so the home stops re-sending it and the copy completes: losing the valid sessions
        // with the bad one, or never completing the copy, would be worse than leaving the bad one out.
        Assert.Equal((true, true), replica.ApplyCopy(1, 0, 1, [fine, tooBig, alsoFine], T0));

        Assert.NotNull(replica.Get(fine.Id));
        Assert.NotNull(replica.Get(alsoFine.Id));
        Assert.Null(replica.Get(tooBig.Id));
        Assert.True(replica.IsWhole);
        Assert.Equal(1, replica.RejectedOverLimit);
    }

    [Fact]
    public void A_copy_session_whose_merge_with_the_held_state_breaks_the_limits_is_left_out_and_the_held_state_kept()
    {
        var replica = new ShardReplica(0, Home, 1, Limits);
        var held = Session(1, [("a", "1"), ("b", "1"), ("c", "1")]);
        Assert.True(replica.ApplyDelta(1, held, T0));
        var forged = Session(1, [("d", "1")]);   // the same session with a concurrent fourth attribute

        Assert.Equal((true, true), replica.ApplyCopy(1, 0, 1, [forged], T0));

        Assert.Equal(3, replica.Get(1)!.AttributeCount);
        Assert.Equal(1, replica.RejectedOverLimit);
    }

    [Fact]
    public void Without_limits_nothing_is_refused_for_size()
    {
        var replica = new ShardReplica(0, Home, 1);

        Assert.True(replica.ApplyDelta(1, Session(1, [("a", "\"this is far too long\"")]), T0));
    }

    private static SessionCrdt Session(ulong id, (string Name, string Json)[] attributes)
    {
        var state = SessionCrdt.Create(id, T0, TimeSpan.FromMinutes(30));
        var tick = 1;
        foreach (var (name, json) in attributes)
        {
            state = state.Set(name, System.Text.Encoding.UTF8.GetBytes(json), Stamp(tick++)).State;
        }

        return state;
    }

    private static HlcTimestamp Stamp(int logical) => new(T0.UtcTicks, logical, Writer);
}
