using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Tests.Membership;

public sealed class SplitBrainResolverTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(1);
    private static readonly UniqueAddress D = Node("d");
    private static readonly UniqueAddress E = Node("e");
    private static readonly SplitSides ThreeTwo = new([Up("a", 1), Up("b", 2), Up("c", 3)], [Up("d", 4), Up("e", 5)]);

    [Fact]
    public void Decide_NothingUnreachable_Null()
    {
        var resolver = new SplitBrainResolver(new KeepMajority(), StableAfter, StableAfter);
        resolver.Observe([], T0);

        Assert.Null(resolver.Decide(ThreeTwo, T0.AddHours(1)));
    }

    [Fact]
    public void Decide_OnlyAfterStableAfter_ThenWaitsAgain()
    {
        var resolver = new SplitBrainResolver(new KeepMajority(), StableAfter, null);
        resolver.Observe([D, E], T0);

        Assert.Null(resolver.Decide(ThreeTwo, T0.AddMilliseconds(999)));
        Assert.Equal(DowningDecision.DownUnreachable, resolver.Decide(ThreeTwo, T0.AddSeconds(1)));
        Assert.Null(resolver.Decide(ThreeTwo, T0.AddMilliseconds(1500)));
        Assert.Equal(DowningDecision.DownUnreachable, resolver.Decide(ThreeTwo, T0.AddSeconds(2)));
    }

    [Fact]
    public void Observe_ChangeRestartsTheStableClock()
    {
        var resolver = new SplitBrainResolver(new KeepMajority(), StableAfter, null);
        resolver.Observe([D], T0);
        resolver.Observe([D, E], T0.AddMilliseconds(800));

        Assert.Null(resolver.Decide(ThreeTwo, T0.AddMilliseconds(1500)));
        Assert.NotNull(resolver.Decide(ThreeTwo, T0.AddMilliseconds(1800)));
    }

    [Fact]
    public void DownAllWhenUnstable_NeverStable_DownsAllAfterStableAfterPlusMargin()
    {
        var resolver = new SplitBrainResolver(new KeepMajority(), StableAfter, TimeSpan.FromMilliseconds(500));
        for (var ms = 0; ms < 1500; ms += 400)
        {
            resolver.Observe(ms % 800 == 0 ? [D] : [D, E], T0.AddMilliseconds(ms));
            Assert.Null(resolver.Decide(ThreeTwo, T0.AddMilliseconds(ms)));
        }

        resolver.Observe([E], T0.AddMilliseconds(1400));
        Assert.Equal(DowningDecision.DownAll, resolver.Decide(ThreeTwo, T0.AddMilliseconds(1500)));
    }

    [Fact]
    public void DownAllWhenUnstable_EmptySetInBetween_ResetsTheClock()
    {
        var resolver = new SplitBrainResolver(new KeepMajority(), StableAfter, TimeSpan.FromMilliseconds(500));
        resolver.Observe([D], T0);
        resolver.Observe([], T0.AddMilliseconds(900));
        resolver.Observe([E], T0.AddMilliseconds(1000));

        Assert.Null(resolver.Decide(ThreeTwo, T0.AddMilliseconds(1600)));
        Assert.Equal(T0.AddMilliseconds(1000), resolver.UnstableSince);
    }

    [Fact]
    public void DownAllWhenUnstable_Off_NeverDownsAll()
    {
        var resolver = new SplitBrainResolver(new KeepMajority(), StableAfter, null);
        for (var ms = 0; ms < 10_000; ms += 500)
        {
            resolver.Observe(ms % 1000 == 0 ? [D] : [D, E], T0.AddMilliseconds(ms));
            Assert.Null(resolver.Decide(ThreeTwo, T0.AddMilliseconds(ms + 499)));
        }
    }

    private static UniqueAddress Node(string host) => new(new NodeAddress(host, 1), 1);

    private static Member Up(string host, int upNumber) => new(Node(host), MemberStatus.Up, [], upNumber);
}
