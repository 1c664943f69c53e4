using System.Text;
using SessionCluster.Actors.Replication;

namespace SessionCluster.Actors.Tests.Replication;

public sealed class SessionCrdtTests
{
    private static readonly ReplicaId A = new("a");
    private static readonly ReplicaId B = new("b");
    private static readonly DateTimeOffset Created = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly SessionCrdt Fresh = SessionCrdt.Create(42, Created, TimeSpan.FromMinutes(30));

    [Fact]
    public void Operations_ReturnDeltasThatRebuildTheState()
    {
        var (s1, d1) = Fresh.Set("user", Json("\"ann\""), At(1, A));
        var (s2, d2, value, _, _) = s1.Increment("visits", 3, 1, A, At(2, A));
        var (s3, d3) = s2.Touch(Created.AddMinutes(5));
        var (s4, d4) = s3.Remove("user", At(3, A));

        var backup = Fresh.Apply(d3).Apply(d1).Apply(d4).Apply(d2).Apply(d1);

        Assert.Equal(3, value);
        Assert.Equal(s4, backup);
        Assert.Equal(Created.AddMinutes(5), backup.LastAccessed);
        Assert.Equal(["visits"], backup.VisibleAttributes().Select(pair => pair.Key));
        Assert.Single(d1.Attributes.Entries);
        Assert.Equal(Created, d1.LastAccessed);
    }

    [Fact]
    public void End_WinsOverOlderWrites_AndClearsAttributes()
    {
        var (live, _) = Fresh.Set("a", Json("1"), At(1, A));
        var (ended, endDelta) = live.End(SessionEndReason.Invalidated, At(5, B));
        var (_, lateWrite) = live.Set("a", Json("2"), At(3, A));

        var merged = SessionCrdt.Merge(ended, lateWrite);

        Assert.True(merged.IsEnded);
        Assert.Equal(SessionEndReason.Invalidated, merged.Ended!.Value);
        Assert.Equal(0, merged.AttributeCount);
        Assert.Equal(merged, SessionCrdt.Merge(lateWrite, live.Apply(endDelta)));
        Assert.Throws<InvalidOperationException>(() => merged.Set("a", Json("3"), At(6, A)));
    }

    [Fact]
    public void End_TwiceWithDifferentReasons_KeepsTheLaterEnd()
    {
        var expired = Fresh.End(SessionEndReason.Expired, At(4, A)).State;
        var invalidated = Fresh.End(SessionEndReason.Invalidated, At(7, B)).State;

        Assert.Equal(SessionEndReason.Invalidated, SessionCrdt.Merge(expired, invalidated).Ended!.Value);
        Assert.Equal(SessionCrdt.Merge(expired, invalidated), SessionCrdt.Merge(invalidated, expired));
    }

    [Fact]
    public void Touch_NeverMovesLastAccessedBack_AndDrivesExpiry()
    {
        var touched = Fresh.Touch(Created.AddMinutes(10)).State.Touch(Created.AddMinutes(2)).State;

        Assert.Equal(Created.AddMinutes(10), touched.LastAccessed);
        Assert.False(touched.IsExpired(Created.AddMinutes(39)));
        Assert.True(touched.IsExpired(Created.AddMinutes(40)));
    }

    [Fact]
    public void Increment_Rejected_ReturnsTheSameStateAndAnEmptyDelta()
    {
        var (state, _) = Fresh.Set("s", Json("\"x\""), At(1, A));

        var (next, delta, _, rejection, _) = state.Increment("s", 1, 2, A, At(2, A));

        Assert.Equal(IncrementRejection.NotAnInteger, rejection);
        Assert.Same(state, next);
        Assert.Equal(state, state.Apply(delta));
    }

    [Fact]
    public void SizeInBytes_CountsVisibleNamesAndValues()
    {
        var (state, _) = Fresh.Set("name", Json("\"héllo\""), At(1, A));
        var (withCounter, _, _, _, _) = state.Increment("n", 100, 3, B, At(2, B));
        var (removed, _) = withCounter.Remove("name", At(3, A));

        Assert.Equal(4 + 8, state.SizeInBytes);
        Assert.Equal(4 + 8 + 1 + 3, withCounter.SizeInBytes);
        Assert.Equal(1 + 3, removed.SizeInBytes);
        Assert.Equal(1, removed.AttributeCount);
    }

    [Fact]
    public void NewestTimestamp_IsTheLatestWriteFloorOrEnd()
    {
        Assert.Equal(HlcTimestamp.Zero, Fresh.NewestTimestamp);
        var (set, _) = Fresh.Set("a", Json("1"), At(4, B));
        var (counted, _, _, _, _) = set.Increment("n", 1, 4, A, At(6, A));
        var (removed, _) = counted.Remove("a", At(5, B));
        var collected = removed.CollectGarbage(At(9, A));

        Assert.Equal(At(4, B), set.NewestTimestamp);
        Assert.Equal(At(6, A), counted.NewestTimestamp);
        Assert.Equal(At(6, A), removed.NewestTimestamp);
        Assert.Equal(At(9, A), collected.NewestTimestamp);
        Assert.Equal(At(12, B), collected.End(SessionEndReason.Expired, At(12, B)).State.NewestTimestamp);
    }

    [Fact]
    public void Accessed_IsTouchWithoutItsDelta_AndNeverMovesBack()
    {
        var later = Created.AddMinutes(3);

        Assert.Equal(Fresh.Touch(later).State, Fresh.Accessed(later));
        Assert.Same(Fresh, Fresh.Accessed(Created.AddMinutes(-1)));
        Assert.Same(Fresh, Fresh.Accessed(Created));
        Assert.Throws<InvalidOperationException>(() => Fresh.End(SessionEndReason.Invalidated, At(1, A)).State.Accessed(later));
    }

    [Fact]
    public void Increment_SameOperationAgain_AnswersTheFirstValueAndCountsOnce()
    {
        var (first, delta, value, _, repeated) = Fresh.Increment("n", 5, 77, A, At(1, A));

        var (again, shipped, valueAgain, rejection, repeatedAgain) = first.Increment("n", 5, 77, A, At(2, A));

        Assert.Equal((5L, false), (value, repeated));
        Assert.Equal((5L, true, (IncrementRejection?)null), (valueAgain, repeatedAgain, rejection));
        Assert.Same(first, again);
        Assert.Equal("5", Text(first.Get("n")));
        Assert.Equal([new AppliedIncrement(77, "n", 5, At(1, A))], first.RecentIncrements.Entries.ToArray());
        // The repeat's delta ships the entry and the record again: merging it anywhere they are changes nothing.
        Assert.Equal(delta.Attributes, shipped.Attributes);
        Assert.Equal(delta.RecentIncrements, shipped.RecentIncrements);
        Assert.Equal(first, first.Apply(shipped));
    }

    [Fact]
    public void Increment_RepeatedOnABackupThatMergedTheDelta_IsRecognised()
    {
        // The home counts twice and dies with the second reply; the backup, promoted, gets the retry.
        var (home, d1, _, _, _) = Fresh.Increment("n", 5, 1, A, At(1, A));
        var (_, d2, _, _, _) = home.Increment("n", 2, 2, A, At(2, A));
        var promoted = Fresh.Apply(d2).Apply(d1);

        var (state, _, value, _, repeated) = promoted.Increment("n", 2, 2, B, At(3, B));
        var (next, _, fresh, _, freshRepeated) = state.Increment("n", 1, 3, B, At(4, B));

        Assert.Equal((7L, true), (value, repeated));
        Assert.Equal((8L, false), (fresh, freshRepeated));
        Assert.Equal("8", Text(next.Get("n")));
        Assert.Equal([3UL, 2UL, 1UL], next.RecentIncrements.Entries.Select(applied => applied.OperationId));
    }

    [Fact]
    public void Increment_RepeatAfterTheAttributeWasSet_AnswersTheFirstValueAndLeavesTheSetValue()
    {
        var (counted, _, _, _, _) = Fresh.Increment("n", 5, 1, A, At(1, A));
        var (set, _) = counted.Set("n", Json("100"), At(2, A));

        var (state, _, value, _, repeated) = set.Increment("n", 5, 1, A, At(3, A));

        Assert.Equal((5L, true), (value, repeated));
        Assert.Equal("100", Text(state.Get("n")));
    }

    [Fact]
    public void Increment_SameIdOnAnotherAttribute_IsAnotherOperation()
    {
        var (first, _, _, _, _) = Fresh.Increment("n", 5, 1, A, At(1, A));

        var (state, _, value, _, repeated) = first.Increment("m", 5, 1, A, At(2, A));

        Assert.Equal((5L, false), (value, repeated));
        Assert.Equal(2, state.RecentIncrements.Count);
    }

    [Fact]
    public void Increment_RepeatOfAnOperationPastTheNewestCapacity_IsCountedAgain()
    {
        // Documented: the memory holds the newest Capacity increments; an older retry is taken for a new increment.
        var state = Fresh.Increment("n", 1, 1000, A, At(1, A)).State;
        for (var i = 0; i < RecentIncrements.Capacity; i++)
        {
            state = state.Increment("n", 1, (ulong)i, A, At(2 + i, A)).State;
        }

        var (counted, _, value, _, repeated) = state.Increment("n", 1, 1000, A, At(100, A));

        Assert.Null(state.RecentIncrements.Find(1000, "n"));
        Assert.Equal((RecentIncrements.Capacity + 2L, false), (value, repeated));
        Assert.Equal(new AppliedIncrement(1000, "n", RecentIncrements.Capacity + 2L, At(100, A)), counted.RecentIncrements.Entries[0]);
    }

    [Fact]
    public void End_ForgetsTheIncrements_AndMergesKeepThemForgotten()
    {
        var (counted, _, _, _, _) = Fresh.Increment("n", 5, 1, A, At(1, A));
        var (ended, endDelta) = counted.End(SessionEndReason.Expired, At(2, B));

        Assert.True(ended.RecentIncrements.IsEmpty);
        Assert.True(SessionCrdt.Merge(counted, endDelta).RecentIncrements.IsEmpty);
        Assert.Equal(ended, SessionCrdt.Merge(endDelta, counted));
    }

    [Fact]
    public void NewestTimestamp_CoversTheRememberedIncrements()
    {
        var remembered = RecentIncrements.Of(new AppliedIncrement(1, "n", 1, At(8, B)));

        var restored = SessionCrdt.Restore(42, Created, TimeSpan.FromMinutes(30), Created, AttributeMap.Empty, null, remembered);

        Assert.Equal(At(8, B), restored.NewestTimestamp);
    }

    [Fact]
    public void Merge_OfDifferentSessions_Throws()
    {
        var other = SessionCrdt.Create(43, Created, TimeSpan.FromMinutes(30));

        Assert.Throws<ArgumentException>(() => SessionCrdt.Merge(Fresh, other));
    }

    private static HlcTimestamp At(long wall, ReplicaId replica) => new(wall, 0, replica);

    private static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);
}
