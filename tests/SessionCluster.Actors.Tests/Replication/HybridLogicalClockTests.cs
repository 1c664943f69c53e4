using FsCheck;
using FsCheck.Fluent;
using SessionCluster.Actors.Replication;

namespace SessionCluster.Actors.Tests.Replication;

public sealed class HybridLogicalClockTests
{
    private static readonly ReplicaId A = new("a");
    private static readonly ReplicaId B = new("b");

    [Fact]
    public void Now_PhysicalClockAdvances_FollowsWallTimeWithLogicalZero()
    {
        var (clock, first) = new HybridLogicalClock(A, TimeSpan.FromSeconds(1)).Now(100);
        var (_, second) = clock.Now(250);

        Assert.Equal(new HlcTimestamp(100, 0, A), first);
        Assert.Equal(new HlcTimestamp(250, 0, A), second);
    }

    [Fact]
    public void Now_PhysicalClockStepsBack_KeepsWallAndCountsLogically()
    {
        var (clock, first) = new HybridLogicalClock(A, TimeSpan.FromSeconds(1)).Now(100);
        var (clock2, second) = clock.Now(40);
        var (_, third) = clock2.Now(100);

        Assert.Equal(new HlcTimestamp(100, 1, A), second);
        Assert.Equal(new HlcTimestamp(100, 2, A), third);
        Assert.True(first < second && second < third);
    }

    [Fact]
    public void Observe_RemoteAhead_FollowsRemote()
    {
        var clock = new HybridLogicalClock(A, TimeSpan.FromTicks(1_000));
        var remote = new HlcTimestamp(500, 7, B);

        var (next, stamp, withinDrift) = clock.Observe(remote, 100);

        Assert.True(withinDrift);
        Assert.Equal(new HlcTimestamp(500, 8, A), stamp);
        Assert.True(next.Now(100).Timestamp > remote);
    }

    [Fact]
    public void Observe_RemoteBeyondMaxDrift_IsNotAdoptedAndSaysSo()
    {
        var clock = new HybridLogicalClock(A, TimeSpan.FromTicks(1_000));
        var remote = new HlcTimestamp(100 + 1_001, 0, B);

        var (next, stamp, withinDrift) = clock.Observe(remote, 100);

        Assert.False(withinDrift);
        Assert.Equal(new HlcTimestamp(100, 0, A), stamp);
        Assert.Equal(stamp, next.Last);
    }

    [Fact]
    public void Now_LogicalCounterFull_MovesWallOnByOneTick()
    {
        var clock = new HybridLogicalClock(A, TimeSpan.FromTicks(10)).Observe(new HlcTimestamp(100, int.MaxValue - 1, B), 100).Clock;

        var (_, stamp) = clock.Now(100);

        Assert.Equal(new HlcTimestamp(101, 0, A), stamp);
    }

    [Fact]
    public void Next_AfterAnotherReplicasReading_FollowsItOnItsWallOrMovesToPhysicalTime()
    {
        var other = new HlcTimestamp(500, 7, B);

        Assert.Equal(new HlcTimestamp(500, 8, A), HybridLogicalClock.Next(other, A, 100));
        Assert.Equal(new HlcTimestamp(501, 0, A), HybridLogicalClock.Next(other, A, 501));
        Assert.Equal(new HlcTimestamp(100, 0, A), HybridLogicalClock.Next(HlcTimestamp.Zero, A, 100));
        Assert.ThrowsAny<ArgumentException>(() => HybridLogicalClock.Next(other, default, 100));
    }

    [Fact]
    public void Next_IsWhatNowStamps_ForAClockWhoseLastReadingItIsGiven()
    {
        var events = Gen.Choose(-50, 50);
        ReplicationGen.Check(Prop.ForAll(ReplicationGen.ArrayOf(events), steps =>
        {
            var clock = new HybridLogicalClock(A, TimeSpan.FromTicks(60));
            long physical = 1_000;
            foreach (var delta in steps)
            {
                physical += delta;
                var expected = HybridLogicalClock.Next(clock.Last, A, physical);
                (clock, var stamp) = clock.Now(physical);
                if (stamp != expected)
                {
                    return false;
                }
            }

            return true;
        }));
    }

    [Fact]
    public void Compare_EqualWallAndLogical_OrdersByReplica()
    {
        Assert.True(new HlcTimestamp(5, 1, A) < new HlcTimestamp(5, 1, B));
        Assert.True(HlcTimestamp.Zero < new HlcTimestamp(0, 0, A));
    }

    [Fact]
    public void Readings_UnderAnyPhysicalClockAndMessages_StrictlyIncreaseAndFollowEveryObservedReading()
    {
        // Each event: physical time moves by -50..+50 ticks (often backwards), and sometimes a remote reading arrives.
        var events = Gen.Zip(Gen.Choose(-50, 50), Gen.Choose(-1, 80));
        ReplicationGen.Check(Prop.ForAll(ReplicationGen.ArrayOf(events), steps =>
        {
            var clock = new HybridLogicalClock(A, TimeSpan.FromTicks(60));
            long physical = 1_000;
            var previous = HlcTimestamp.Zero;
            foreach (var (delta, remoteOffset) in steps)
            {
                physical += delta;
                HlcTimestamp stamp;
                if (remoteOffset < 0)
                {
                    (clock, stamp) = clock.Now(physical);
                }
                else
                {
                    var remote = new HlcTimestamp(physical + remoteOffset, remoteOffset % 3, B);
                    (clock, stamp, var adopted) = clock.Observe(remote, physical);
                    if (adopted != (remoteOffset <= 60) || (adopted && stamp <= remote))
                    {
                        return false;
                    }
                }

                if (stamp <= previous || stamp.WallTicks < physical || stamp.Replica != A)
                {
                    return false;
                }

                previous = stamp;
            }

            return true;
        }));
    }
}
