using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Tests.Membership;

public sealed class SplitBrainResolverTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StableAfterRefused = TimeSpan.FromMilliseconds(100);
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

    [Fact]
    public void Decide_EveryUnreachableRefused_DecidesAfterStableAfterRefused()
    {
        var resolver = new SplitBrainResolver(new KeepMajority(), StableAfter, null, StableAfterRefused);
        resolver.Observe([D, E], [D, E], T0);

        Assert.Equal(StableAfterRefused, resolver.Window);
        Assert.Null(resolver.Decide(ThreeTwo, T0.AddMilliseconds(99)));
        Assert.Equal(DowningDecision.DownUnreachable, resolver.Decide(ThreeTwo, T0.AddMilliseconds(100)));
    }

    [Fact]
    public void Decide_StableAfterRefusedZero_DecidesAtOnce()
    {
        var resolver = new SplitBrainResolver(new KeepMajority(), StableAfter, null, TimeSpan.Zero);
        resolver.Observe([D], [D], T0);

        Assert.Equal(DowningDecision.DownUnreachable, resolver.Decide(ThreeTwo, T0));
    }

    [Fact]
    public void Decide_RefusedAndSilentMixed_WaitsTheFullStableAfter()
    {
        var resolver = new SplitBrainResolver(new KeepMajority(), StableAfter, null, StableAfterRefused);
        resolver.Observe([D, E], [D], T0);

        Assert.Equal(StableAfter, resolver.Window);
        Assert.Null(resolver.Decide(ThreeTwo, T0.AddMilliseconds(999)));
        Assert.Equal(DowningDecision.DownUnreachable, resolver.Decide(ThreeTwo, T0.AddSeconds(1)));
    }

    [Fact]
    public void Observe_RefusalArrivesForAMemberAlreadyUnreachable_KeepsTheClock()
    {
        var resolver = new SplitBrainResolver(new KeepMajority(), StableAfter, null, StableAfterRefused);
        resolver.Observe([D], T0);
        resolver.Observe([D], [D], T0.AddMilliseconds(500));

        // The set has been stable since T0; the stronger evidence shortens the wait at once.
        Assert.Equal(DowningDecision.DownUnreachable, resolver.Decide(ThreeTwo, T0.AddMilliseconds(500)));
    }

    [Fact]
    public void Observe_RefusalEvidenceLost_RestartsTheClockWithTheFullWindow()
    {
        var resolver = new SplitBrainResolver(new KeepMajority(), StableAfter, null, StableAfterRefused);
        resolver.Observe([D], [D], T0);
        resolver.Observe([D], [], T0.AddMilliseconds(50));

        Assert.Equal(StableAfter, resolver.Window);
        Assert.Null(resolver.Decide(ThreeTwo, T0.AddMilliseconds(1049)));
        Assert.NotNull(resolver.Decide(ThreeTwo, T0.AddMilliseconds(1050)));
    }

    [Fact]
    public void Observe_RefusedOutsideTheUnreachableSet_DoesNotCount()
    {
        var resolver = new SplitBrainResolver(new KeepMajority(), StableAfter, null, StableAfterRefused);
        resolver.Observe([D], [E], T0);

        Assert.Equal(StableAfter, resolver.Window);
    }

    [Fact]
    public void Constructor_StableAfterRefusedOutsideZeroToStableAfter_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SplitBrainResolver(new KeepMajority(), StableAfter, null, StableAfter + TimeSpan.FromTicks(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SplitBrainResolver(new KeepMajority(), StableAfter, null, TimeSpan.FromTicks(-1)));
    }

    private static UniqueAddress Node(string host) => new(new NodeAddress(host, 1), 1);

    private static Member Up(string host, int upNumber) => new(Node(host), MemberStatus.Up, [], upNumber);
}
