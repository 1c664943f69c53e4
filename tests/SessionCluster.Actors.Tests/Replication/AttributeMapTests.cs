using System.Text;
using SessionCluster.Actors.Replication;

namespace SessionCluster.Actors.Tests.Replication;

public sealed class AttributeMapTests
{
    private static readonly ReplicaId A = new("a");
    private static readonly ReplicaId B = new("b");

    [Fact]
    public void Increment_ConcurrentOnTwoReplicas_BothSurviveTheMerge()
    {
        var shared = AttributeMap.Empty.Set("visits", Json("10"), At(1, A)).State;
        var onA = shared.Increment("visits", 1, A, At(2, A)).State.Increment("visits", 1, A, At(3, A)).State;
        var onB = shared.Increment("visits", 5, B, At(2, B)).State;

        Assert.Equal("17", Text(onA.Merge(onB).Get("visits")));
        Assert.Equal(onA.Merge(onB), onB.Merge(onA));
    }

    [Fact]
    public void Increment_NeverSetOnTwoReplicas_BothSurvive()
    {
        var onA = AttributeMap.Empty.Increment("n", 2, A, At(1, A)).State;
        var onB = AttributeMap.Empty.Increment("n", 3, B, At(1, B)).State;

        Assert.Equal("5", Text(onA.Merge(onB).Get("n")));
    }

    [Fact]
    public void Set_AfterIncrements_Wins()
    {
        var counted = AttributeMap.Empty.Increment("n", 2, A, At(1, A)).State.Increment("n", 3, B, At(2, B)).State;

        var set = counted.Set("n", Json("100"), At(3, A)).State;
        var (_, increment, value, _) = set.Increment("n", 1, B, At(4, B));

        Assert.Equal("100", Text(set.Get("n")));
        Assert.Equal(101, value);
        Assert.Equal("101", Text(counted.Merge(set).Merge(increment).Get("n")));
    }

    [Fact]
    public void Set_ConcurrentWithIncrementsOnOlderBase_SupersedesThem()
    {
        var shared = AttributeMap.Empty.Set("n", Json("1"), At(1, A)).State;
        var incremented = shared.Increment("n", 40, B, At(3, B)).State;
        var set = shared.Set("n", Json("7"), At(2, A)).State;

        // The Set's timestamp is earlier than the increment's, yet it starts a new base, and the increment was on the old one.
        Assert.Equal("7", Text(incremented.Merge(set).Get("n")));
    }

    [Fact]
    public void Remove_ThenIncrement_CountsFromZero()
    {
        var removed = AttributeMap.Empty.Set("n", Json("9"), At(1, A)).State.Remove("n", At(2, A)).State;

        var (state, _, value, rejection) = removed.Increment("n", 4, A, At(3, A));

        Assert.Null(removed.Get("n"));
        Assert.Null(rejection);
        Assert.Equal(4, value);
        Assert.Equal("4", Text(state.Get("n")));
    }

    [Fact]
    public void Increment_NotAnIntegerOrOverflow_IsRejectedAndChangesNothing()
    {
        var map = AttributeMap.Empty.Set("s", Json("\"x\""), At(1, A)).State.Set("big", Json(long.MaxValue.ToString()), At(1, B)).State;

        var notInteger = map.Increment("s", 1, A, At(2, A));
        var overflow = map.Increment("big", 1, A, At(2, A));

        Assert.Equal(IncrementRejection.NotAnInteger, notInteger.Rejection);
        Assert.Equal(IncrementRejection.Overflow, overflow.Rejection);
        Assert.Same(map, notInteger.State);
        Assert.Same(map, overflow.State);
        Assert.Empty(overflow.Delta.Entries);
    }

    [Fact]
    public void Merge_ConcurrentIncrementsPastLongMaxValue_ShowsTheExactSumAndRefusesMore()
    {
        var shared = AttributeMap.Empty.Set("n", Json((long.MaxValue - 1).ToString()), At(1, A)).State;
        var merged = shared.Increment("n", 1, A, At(2, A)).State.Merge(shared.Increment("n", 1, B, At(2, B)).State);

        Assert.Equal("9223372036854775808", Text(merged.Get("n")));
        Assert.Equal(IncrementRejection.Overflow, merged.Increment("n", 1, A, At(3, A)).Rejection);
        Assert.Equal(long.MaxValue, merged.Increment("n", -1, A, At(3, A)).Value);
    }

    [Fact]
    public void Visible_ListsAttributesInOrdinalOrder_AndSizeCountsNamesAndValues()
    {
        var map = AttributeMap.Empty
            .Set("b", Json("\"é\""), At(1, A)).State
            .Set("a", Json("1"), At(2, A)).State
            .Set("B", Json("true"), At(3, A)).State
            .Remove("a", At(4, A)).State
            .Increment("é", 12, A, At(5, A)).State;

        Assert.Equal(["B", "b", "é"], map.Visible().Select(pair => pair.Key));
        Assert.Equal(3, map.Count);
        Assert.Equal(1, map.TombstoneCount);
        // "B" + true, "b" + "é" (2 + 2 bytes), "é" (2 bytes) + 12
        Assert.Equal(1 + 4 + 1 + 4 + 2 + 2, map.SizeInBytes);
    }

    [Fact]
    public void CollectGarbage_DropsOnlyTombstonesBeforeStable_AndStaleDeltasStayDead()
    {
        var (set, setDelta) = AttributeMap.Empty.Set("gone", Json("1"), At(1, A));
        var (removed, _) = set.Remove("gone", At(2, A)).State.Set("kept", Json("2"), At(3, A)).State.Remove("late", At(9, A));

        var collected = removed.CollectGarbage(At(5, B));

        Assert.Null(collected.Find("gone"));
        Assert.NotNull(collected.Find("late"));
        Assert.Equal("2", Text(collected.Get("kept")));
        // The Set's delta arriving late, or twice, does not bring "gone" back: all its writes are under the floor.
        Assert.Null(collected.Merge(setDelta).Merge(setDelta).Get("gone"));
        // Nor does a replica that acknowledged the removal but has not collected yet.
        Assert.Equal(collected, collected.Merge(removed));
        Assert.Equal(collected, removed.Merge(collected));
    }

    [Fact]
    public void CollectGarbage_IncrementAfterwardsOnCollectedName_BeatsTombstonesStillHeldElsewhere()
    {
        var removed = AttributeMap.Empty.Set("n", Json("5"), At(1, A)).State.Remove("n", At(2, A)).State;
        var collected = removed.CollectGarbage(At(3, A));

        var (_, delta, value, _) = collected.Increment("n", 1, A, At(4, A));

        Assert.Equal(1, value);
        Assert.Equal("1", Text(removed.Merge(delta).Get("n")));
    }

    [Fact]
    public void Write_StampedBeforeTheFloor_Throws()
    {
        var collected = AttributeMap.Empty.CollectGarbage(At(5, A));

        Assert.Throws<ArgumentOutOfRangeException>(() => collected.Set("x", Json("1"), At(4, A)));
        Assert.Throws<ArgumentOutOfRangeException>(() => collected.Increment("x", 1, A, At(4, A)));
    }

    private static HlcTimestamp At(long wall, ReplicaId replica) => new(wall, 0, replica);

    private static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);
}
