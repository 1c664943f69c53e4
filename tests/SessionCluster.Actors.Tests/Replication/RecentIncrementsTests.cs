using FsCheck;
using FsCheck.Fluent;
using SessionCluster.Actors.Replication;

namespace SessionCluster.Actors.Tests.Replication;

/// <summary>The memory of applied increments: the newest <see cref="RecentIncrements.Capacity"/> records of a union
/// within <see cref="RecentIncrements.Retention"/> of the newest, which is a join, and free while empty.</summary>
public sealed class RecentIncrementsTests
{
    private static readonly ReplicaId A = new("a");
    private static readonly ReplicaId B = new("b");

    [Fact]
    public void Merge_IsCommutativeAssociativeIdempotent() =>
        ReplicationGen.Check(Prop.ForAll(
            ReplicationGen.ArrayOf(ReplicationGen.Applied), ReplicationGen.ArrayOf(ReplicationGen.Applied), ReplicationGen.ArrayOf(ReplicationGen.Applied),
            (xs, ys, zs) =>
            {
                var (x, y, z) = (RecentIncrements.Of(xs), RecentIncrements.Of(ys), RecentIncrements.Of(zs));
                return x.Merge(y) == y.Merge(x) &&
                    x.Merge(y).Merge(z) == x.Merge(y.Merge(z)) &&
                    x.Merge(x) == x &&
                    x.Merge(y).Merge(y) == x.Merge(y);
            }));

    [Fact]
    public void Merge_KeepsTheNewestCapacityRecordsOfTheUnion() =>
        ReplicationGen.Check(Prop.ForAll(Arb.From(ReplicationGen.AppliedSet), Arb.From(ReplicationGen.AppliedSet), (xs, ys) =>
        {
            var merged = RecentIncrements.Of(xs).Merge(RecentIncrements.Of(ys));
            var expected = xs.Concat(ys).Distinct().OrderDescending().Take(RecentIncrements.Capacity);
            return merged.Entries.SequenceEqual(expected) && merged.Count <= RecentIncrements.Capacity;
        }));

    [Fact]
    public void NewerThan_KeepsExactlyTheNewerRecords_AndAReplicaHoldingTheRestMergesItAsTheWhole() =>
        ReplicationGen.Check(Prop.ForAll(Arb.From(SpreadSet), Arb.From(SpreadSet), Arb.From(SpreadApplied), (mine, theirs, cut) =>
        {
            var whole = RecentIncrements.Of(mine);
            var newer = whole.NewerThan(cut.Timestamp);
            // A replica that holds every record up to the cut (and whatever else) learns the same from either.
            var held = RecentIncrements.Of(theirs.Concat(mine.Where(record => record.Timestamp <= cut.Timestamp)));
            return newer.Entries.SequenceEqual(whole.Entries.Where(record => record.Timestamp > cut.Timestamp)) &&
                held.Merge(newer) == held.Merge(whole);
        }));

    [Fact]
    public void OfNewestFirst_AppliesTheRetentionLikeOf_AndRefusesWhatIsNotSortedOrTooLong()
    {
        var newest = Record(3, "n", 3, At(TimeSpan.FromMinutes(5).Ticks, A));
        var recent = Record(2, "n", 2, At(TimeSpan.FromMinutes(4.5).Ticks, A));
        var stale = Record(1, "n", 1, At(TimeSpan.FromMinutes(1).Ticks, A));

        Assert.Equal(RecentIncrements.Of([stale, newest, recent]), RecentIncrements.OfNewestFirst([newest, recent, stale]));
        Assert.Equal(2, RecentIncrements.OfNewestFirst([newest, recent, stale]).Count);
        Assert.Throws<ArgumentException>(() => RecentIncrements.OfNewestFirst([recent, newest]));
        Assert.Throws<ArgumentException>(() => RecentIncrements.OfNewestFirst([newest, newest]));
        Assert.Throws<ArgumentException>(() => RecentIncrements.OfNewestFirst(
            [.. Enumerable.Range(0, RecentIncrements.Capacity + 1).Select(i => Record((ulong)i, "n", i, At(1000 - i, A)))]));
    }

    // Records spread over three retentions, so that merges drop by age as well as by count.
    private static readonly Gen<AppliedIncrement> SpreadApplied =
        from record in ReplicationGen.Applied
        from seconds in Gen.Choose(0, 180)
        select record with { Timestamp = record.Timestamp with { WallTicks = TimeSpan.FromSeconds(seconds).Ticks + record.Timestamp.WallTicks } };

    private static readonly Gen<AppliedIncrement[]> SpreadSet = Gen.ArrayOf(SpreadApplied).Select(all => all.Take(3 * RecentIncrements.Capacity).ToArray());

    [Fact]
    public void Merge_OfRecordsSpreadOverMinutes_IsCommutativeAssociativeIdempotent() =>
        ReplicationGen.Check(Prop.ForAll(Arb.From(SpreadSet), Arb.From(SpreadSet), Arb.From(SpreadSet), (xs, ys, zs) =>
        {
            var (x, y, z) = (RecentIncrements.Of(xs), RecentIncrements.Of(ys), RecentIncrements.Of(zs));
            return x.Merge(y) == y.Merge(x) &&
                x.Merge(y).Merge(z) == x.Merge(y.Merge(z)) &&
                x.Merge(x) == x &&
                x.Merge(y).Merge(y) == x.Merge(y);
        }));

    [Fact]
    public void Merge_KeepsTheNewestCapacityRecordsOfTheUnionWithinTheRetentionOfTheNewest() =>
        ReplicationGen.Check(Prop.ForAll(Arb.From(SpreadSet), Arb.From(SpreadSet), (xs, ys) =>
        {
            var merged = RecentIncrements.Of(xs).Merge(RecentIncrements.Of(ys));
            var all = xs.Concat(ys).Distinct().OrderDescending().ToList();
            var expected = all.Take(RecentIncrements.Capacity)
                .Where(record => record.Timestamp.WallTicks >= all[0].Timestamp.WallTicks - RecentIncrements.Retention.Ticks);
            return all.Count == 0 ? merged.IsEmpty : merged.Entries.SequenceEqual(expected);
        }));

    [Fact]
    public void A_record_leaves_once_a_record_more_than_the_retention_newer_arrives()
    {
        var old = Record(1, "n", 1, At(TimeSpan.FromSeconds(1).Ticks, A));
        var withinRetention = Record(2, "n", 2, At(old.Timestamp.WallTicks + RecentIncrements.Retention.Ticks, A));
        var pastRetention = Record(3, "n", 3, At(withinRetention.Timestamp.WallTicks + 1, A));

        Assert.Equal([2UL, 1UL], RecentIncrements.Of(old).Merge(RecentIncrements.Of(withinRetention)).Entries.Select(r => r.OperationId));
        Assert.Equal([3UL, 2UL], RecentIncrements.Of([old, withinRetention]).Merge(RecentIncrements.Of(pastRetention)).Entries.Select(r => r.OperationId));
        Assert.Equal([3UL, 2UL], RecentIncrements.Of([old, withinRetention, pastRetention]).Entries.Select(r => r.OperationId));
    }

    [Fact]
    public void A_retry_behind_eight_newer_increments_at_two_homes_within_the_request_timeout_is_answered_not_counted_again()
    {
        // Simulation seed 122 (with the first copy throttle): an increment's reply was lost; its region retried it only
        // when the home was found dead, 2.1 s later, at the promoted backup. Meanwhile the old home had applied 5 more
        // increments and the new home 3 retried ones: 8 newer records, and a memory of 8 had forgotten the first.
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 20, TimeSpan.Zero);
        var (oldHome, newHome) = (new ReplicaId("node-01"), new ReplicaId("node-00"));
        var state = SessionCrdt.Create(0x2e4f, t0.AddSeconds(-19), TimeSpan.Zero);
        var first = state.Increment("n", 1, 0x66, oldHome, new HlcTimestamp(t0.UtcTicks, 0, oldHome));
        Assert.Equal(1, first.Value);
        state = first.State;
        ulong[] atOldHome = [0x1be, 0x230, 0x28e, 0x32d, 0x3d2];
        for (var i = 0; i < atOldHome.Length; i++)
        {
            state = state.Increment("n", 1, atOldHome[i], oldHome, new HlcTimestamp(t0.AddMilliseconds(700 + (i * 350)).UtcTicks, 0, oldHome)).State;
        }

        // The backup held every delta; promoted, it applies three increments retried before the first one's retry.
        var promoted = SessionCrdt.Create(0x2e4f, t0.AddSeconds(-19), TimeSpan.Zero).Apply(state);
        ulong[] atNewHome = [0x41d, 0x412, 0x1fd];
        for (var i = 0; i < atNewHome.Length; i++)
        {
            promoted = promoted.Increment("n", 1, atNewHome[i], newHome, new HlcTimestamp(t0.AddMilliseconds(2_136 + i).UtcTicks, 0, newHome)).State;
        }

        var retry = promoted.Increment("n", 1, 0x66, newHome, new HlcTimestamp(t0.AddMilliseconds(2_139).UtcTicks, 0, newHome));

        Assert.True(retry.Repeated, $"the retry was counted again: {retry.Value}");
        Assert.Equal(1, retry.Value);
        Assert.Equal("9"u8.ToArray(), retry.State.Get("n"));
    }

    [Fact]
    public void Of_ListsNewestFirst_KeepsDuplicatesOnce_AndDropsAllButTheNewestCapacity()
    {
        var records = Enumerable.Range(1, RecentIncrements.Capacity + 2).Select(i => Record((ulong)i, "n", i, At(i, A))).ToList();

        var recent = RecentIncrements.Of(records.Concat(records));

        Assert.Equal(Enumerable.Range(3, RecentIncrements.Capacity).Reverse().Select(i => (ulong)i), recent.Entries.Select(r => r.OperationId));
        Assert.Equal(At(RecentIncrements.Capacity + 2, A), recent.Newest);
        Assert.Null(recent.Find(2, "n"));
        Assert.Equal(records[2], recent.Find(3, "n"));
    }

    [Fact]
    public void Find_NeedsTheIdAndTheName()
    {
        var recent = RecentIncrements.Of(Record(7, "n", 1, At(1, A)));

        Assert.Equal(Record(7, "n", 1, At(1, A)), recent.Find(7, "n"));
        Assert.Null(recent.Find(7, "m"));
        Assert.Null(recent.Find(8, "n"));
    }

    [Fact]
    public void Order_OnOneTimestamp_FallsBackToIdNameAndValue()
    {
        var stamp = At(5, A);
        AppliedIncrement[] ascending = [Record(1, "z", 9, stamp), Record(2, "a", 0, stamp), Record(2, "b", 0, stamp), Record(2, "b", 1, stamp), Record(0, "a", 0, At(5, B))];

        Assert.Equal(ascending, Enumerable.Reverse(ascending).Order());
        Assert.Equal(Enumerable.Reverse(ascending), RecentIncrements.Of(ascending).Entries);
    }

    [Fact]
    public void Empty_IsTheDefault_HoldsNoArray_AndIsNeutralInMerges()
    {
        var some = RecentIncrements.Of([Record(1, "n", 1, At(1, A)), Record(2, "n", 2, At(2, B))]);

        Assert.True(default(RecentIncrements).IsEmpty);
        Assert.Equal(RecentIncrements.Empty, RecentIncrements.Of([]));
        Assert.Empty(RecentIncrements.Empty.Entries);
        Assert.Equal(HlcTimestamp.Zero, RecentIncrements.Empty.Newest);
        Assert.Null(RecentIncrements.Empty.Find(0, "n"));
        // Neutral without copying: the other side's array is kept.
        Assert.True(some.Entries == RecentIncrements.Empty.Merge(some).Entries);
        Assert.True(some.Entries == some.Merge(RecentIncrements.Empty).Entries);
        Assert.True(some.Entries == some.Merge(RecentIncrements.Of(Record(1, "n", 1, At(1, A)))).Entries);
    }

    [Fact]
    public void A_join_equal_to_one_side_is_that_side_uncopied_and_any_other_join_a_new_array()
    {
        var full = RecentIncrements.Of(Enumerable.Range(1, RecentIncrements.Capacity).Select(i => Record((ulong)i, "n", i, At(i, A))));
        var delta = full.Merge(RecentIncrements.Of(Record(100, "n", 100, At(100, A))));   // what an increment ships

        // The state that made the delta, and a backup that held what the state held, take the delta's records as they are.
        Assert.True(delta.Entries == full.Merge(delta).Entries);
        Assert.True(delta.Entries == delta.Merge(full).Entries);
        Assert.Equal(RecentIncrements.Capacity, delta.Count);
        Assert.Equal(100UL, delta.Entries[0].OperationId);

        var other = RecentIncrements.Of(Record(50, "m", 1, At(101, B)));
        var join = delta.Merge(other);
        Assert.False(join.Entries == delta.Entries || join.Entries == other.Entries);
        Assert.Equal(RecentIncrements.Of([.. delta.Entries, .. other.Entries]), join);
        Assert.Equal(RecentIncrements.Capacity, delta.Count);   // the sides are untouched
    }

    [Fact]
    public void Of_RecordWithoutAName_Throws()
    {
        Assert.Throws<ArgumentException>(() => RecentIncrements.Of(Record(1, string.Empty, 1, At(1, A))));
        Assert.ThrowsAny<ArgumentException>(() => RecentIncrements.Of([Record(1, null!, 1, At(1, A))]));
    }

    private static AppliedIncrement Record(ulong id, string name, long value, HlcTimestamp stamp) => new(id, name, value, stamp);

    private static HlcTimestamp At(long wall, ReplicaId replica) => new(wall, 0, replica);

    [Fact]
    public void A_backup_that_lost_an_increments_delta_still_recognises_its_retry_from_the_next_delta()
    {
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var home = new ReplicaId("home");
        var created = SessionCrdt.Create(9, t0, TimeSpan.FromMinutes(30));
        var (afterFirst, _, _, _, _) = created.Increment("n", 1, 879, home, new HlcTimestamp(t0.UtcTicks, 1, home));
        var (_, second, _, _, _) = afterFirst.Increment("n", 1, 884, home, new HlcTimestamp(t0.UtcTicks, 2, home));

        // The first delta was lost; the second carries the running total, so the backup counts both increments...
        var backup = created.Apply(second);
        Assert.Equal("2"u8.ToArray(), backup.Get("n"));

        // ...and must recognise a retry of the first rather than count it a third time.
        var (_, _, value, _, repeated) = backup.Increment("n", 1, 879, new ReplicaId("backup"), new HlcTimestamp(t0.UtcTicks, 3, home));
        Assert.True(repeated);
        Assert.Equal(1, value);
    }
}
