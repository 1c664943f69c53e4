using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Tests.Membership;

public sealed class MemberLifecycleTests
{
    private static readonly (MemberStatus From, MemberStatus To)[] Legal =
    [
        (MemberStatus.Joining, MemberStatus.Up), (MemberStatus.Joining, MemberStatus.Leaving), (MemberStatus.Joining, MemberStatus.Down),
        (MemberStatus.Joining, MemberStatus.Removed), (MemberStatus.Up, MemberStatus.Leaving), (MemberStatus.Up, MemberStatus.Down),
        (MemberStatus.Up, MemberStatus.Removed), (MemberStatus.Leaving, MemberStatus.Exiting), (MemberStatus.Leaving, MemberStatus.Down),
        (MemberStatus.Leaving, MemberStatus.Removed), (MemberStatus.Exiting, MemberStatus.Down), (MemberStatus.Exiting, MemberStatus.Removed),
        (MemberStatus.Down, MemberStatus.Removed),
    ];

    public static TheoryData<MemberStatus, MemberStatus> AllPairs()
    {
        var data = new TheoryData<MemberStatus, MemberStatus>();
        foreach (var from in Enum.GetValues<MemberStatus>())
        {
            foreach (var to in Enum.GetValues<MemberStatus>())
            {
                data.Add(from, to);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void CanMove_EveryPair_MatchesTheDiagram(MemberStatus from, MemberStatus to)
    {
        var legal = Legal.Contains((from, to));

        Assert.Equal(legal, MemberLifecycle.CanMove(from, to));
        if (legal)
        {
            Assert.True(MemberLifecycle.CanReach(from, to));
        }
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void CanReach_IsTheTransitiveClosureOfCanMove(MemberStatus from, MemberStatus to)
    {
        var reachable = new HashSet<MemberStatus> { from };
        var frontier = new Queue<MemberStatus>([from]);
        while (frontier.TryDequeue(out var status))
        {
            foreach (var next in Enum.GetValues<MemberStatus>().Where(next => MemberLifecycle.CanMove(status, next) && reachable.Add(next)))
            {
                frontier.Enqueue(next);
            }
        }

        Assert.Equal(reachable.Contains(to), MemberLifecycle.CanReach(from, to));
    }

    [Theory]
    [InlineData(MemberStatus.Up, MemberStatus.Joining)]
    [InlineData(MemberStatus.Removed, MemberStatus.Up)]
    [InlineData(MemberStatus.Down, MemberStatus.Up)]
    [InlineData(MemberStatus.Up, MemberStatus.Exiting)]
    [InlineData(MemberStatus.Exiting, MemberStatus.Leaving)]
    public void WithStatus_IllegalMove_ThrowsNamingBoth(MemberStatus from, MemberStatus to)
    {
        var member = new Member(new UniqueAddress(new NodeAddress("a", 1), 1), from, []);

        var error = Assert.Throws<InvalidOperationException>(() => member.WithStatus(to));

        Assert.Equal($"Illegal member status move {from} -> {to}.", error.Message);
    }

    [Fact]
    public void MovedUp_SetsAge_AndOnlyFromJoining()
    {
        var member = new Member(new UniqueAddress(new NodeAddress("a", 1), 1), MemberStatus.Joining, ["worker"]);

        var up = member.MovedUp(3);

        Assert.Equal((MemberStatus.Up, 3), (up.Status, up.UpNumber));
        Assert.Throws<InvalidOperationException>(() => up.WithStatus(MemberStatus.Leaving).MovedUp(4));
    }

    [Fact]
    public void IsOlderThan_SmallerUpNumberFirst_ThenAddress_JoiningLast()
    {
        static Member Make(string host, int up) => new(new UniqueAddress(new NodeAddress(host, 1), 1), up == 0 ? MemberStatus.Joining : MemberStatus.Up, [], up);

        Assert.True(Make("z", 1).IsOlderThan(Make("a", 2)));
        Assert.True(Make("a", 2).IsOlderThan(Make("b", 2)));
        Assert.True(Make("z", 9).IsOlderThan(Make("a", 0)));
        Assert.False(Make("a", 0).IsOlderThan(Make("z", 9)));
    }
}
