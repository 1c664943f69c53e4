using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Hosting;

namespace SessionCluster.Actors.Tests.Replication;

/// <summary>A backup's copy of a shard: merges in any order, epoch fencing, whole-copy tracking, tombstone retention.</summary>
public sealed class ShardReplicaTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly NodeAddress A = new("a", 1);
    private static readonly NodeAddress B = new("b", 1);
    private static readonly ReplicaId Writer = new("a:1#1");
    private static readonly SessionCrdt Session = SessionCrdt.Create(7, T0, TimeSpan.FromMinutes(30));

    [Fact]
    public void Deltas_merge_into_the_same_state_whatever_their_order_or_repetition()
    {
        var (s1, d1) = Session.Set("x", "1"u8.ToArray(), Stamp(1));
        var (s2, d2) = s1.Set("y", "2"u8.ToArray(), Stamp(2));
        var (_, d3, _, _, _) = s2.Increment("n", 5, 1, Writer, Stamp(3));
        var inOrder = new ShardReplica(0, A, 1);
        var shuffled = new ShardReplica(0, A, 1);

        foreach (var delta in new[] { Session, d1, d2, d3 })
        {
            Assert.True(inOrder.ApplyDelta(1, delta, T0));
        }

        foreach (var delta in new[] { d3, d1, d3, d2, Session, d1 })
        {
            Assert.True(shuffled.ApplyDelta(1, delta, T0));
        }

        Assert.Equal(inOrder.Get(7), shuffled.Get(7));
        Assert.Equal("2"u8.ToArray(), shuffled.Get(7)!.Get("y"));
        Assert.Equal("5"u8.ToArray(), shuffled.Get(7)!.Get("n"));
    }

    [Fact]
    public void A_delta_under_an_older_epoch_than_any_seen_is_refused()
    {
        var replica = new ShardReplica(0, A, 4);
        Assert.False(replica.ApplyDelta(3, Session, T0));
        Assert.Null(replica.Get(7));

        Assert.True(replica.ApplyDelta(6, Session, T0));
        Assert.Equal(6, replica.Epoch);
        Assert.False(replica.Follow(B, 5));
        Assert.Equal(A, replica.Home);
        Assert.False(replica.ApplyDelta(5, Session, T0));
    }

    [Fact]
    public void The_copy_is_whole_once_every_slice_of_one_copy_arrived_and_says_so_once()
    {
        var replica = new ShardReplica(0, A, 2);
        var other = SessionCrdt.Create(8, T0, TimeSpan.FromMinutes(30));

        Assert.Equal((true, false), replica.ApplyCopy(2, 1, 2, [other], T0));
        Assert.Equal((true, false), replica.ApplyCopy(2, 1, 2, [other], T0));
        Assert.False(replica.IsWhole);
        Assert.Equal((true, true), replica.ApplyCopy(2, 0, 2, [Session], T0));
        Assert.True(replica.IsWhole);
        Assert.Equal((true, false), replica.ApplyCopy(2, 0, 2, [Session], T0));
        Assert.Equal(2, replica.Count);
        Assert.Equal((false, false), replica.ApplyCopy(1, 0, 1, [], T0));
    }

    [Fact]
    public void An_ended_session_stays_as_a_tombstone_that_beats_late_deltas_then_is_forgotten()
    {
        var replica = new ShardReplica(0, A, 1);
        var (live, set) = Session.Set("x", "1"u8.ToArray(), Stamp(1));
        var (_, end) = live.End(SessionEndReason.Invalidated, Stamp(2));
        replica.ApplyDelta(1, Session, T0);
        replica.ApplyDelta(1, end, T0);

        replica.ApplyDelta(1, set, T0.AddSeconds(1));
        Assert.True(replica.Get(7)!.IsEnded);
        Assert.Null(replica.Get(7)!.Get("x"));

        Assert.Equal(0, replica.ForgetEnded(T0 + ShardReplica.EndedRetention - TimeSpan.FromTicks(1)));
        Assert.Equal(1, replica.ForgetEnded(T0 + ShardReplica.EndedRetention));
        Assert.Equal(0, replica.Count);
    }

    [Fact]
    public void A_state_that_claims_a_held_id_for_another_session_is_refused_and_counted()
    {
        var replica = new ShardReplica(0, A, 1);
        replica.ApplyDelta(1, Session, T0);

        Assert.True(replica.ApplyDelta(1, SessionCrdt.Create(7, T0.AddDays(1), TimeSpan.FromMinutes(30)), T0));

        Assert.Equal(Session, replica.Get(7));
        Assert.Equal(1, replica.RejectedMerges);
    }

    [Fact]
    public void A_state_that_claims_a_held_id_for_another_session_is_refused_and_counted_where_limits_are_checked_too()
    {
        var replica = new ShardReplica(0, A, 1, SessionClusterSettings.Default.Sessions);
        replica.ApplyDelta(1, Session, T0);

        Assert.True(replica.ApplyDelta(1, SessionCrdt.Create(7, T0.AddDays(1), TimeSpan.FromMinutes(30)), T0));

        Assert.Equal(Session, replica.Get(7));
        Assert.Equal(1, replica.RejectedMerges);
        Assert.Equal(0, replica.RejectedOverLimit);
    }

    private static HlcTimestamp Stamp(int logical) => new(T0.UtcTicks, logical, Writer);
}
