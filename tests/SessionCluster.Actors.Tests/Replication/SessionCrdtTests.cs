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
    public void Merge_OfDifferentSessions_Throws()
    {
        var other = SessionCrdt.Create(43, Created, TimeSpan.FromMinutes(30));

        Assert.Throws<ArgumentException>(() => SessionCrdt.Merge(Fresh, other));
    }

    private static HlcTimestamp At(long wall, ReplicaId replica) => new(wall, 0, replica);

    private static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);
}
