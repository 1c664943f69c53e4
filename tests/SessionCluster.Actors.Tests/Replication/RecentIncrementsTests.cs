using FsCheck.Fluent;
using SessionCluster.Actors.Replication;

namespace SessionCluster.Actors.Tests.Replication;

/// <summary>The memory of applied increments: the newest <see cref="RecentIncrements.Capacity"/> records of a union,
/// which is a join, and free while empty.</summary>
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
