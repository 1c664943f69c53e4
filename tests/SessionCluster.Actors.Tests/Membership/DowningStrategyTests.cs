using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Tests.Membership;

/// <summary>Each strategy on plain sets. Sides are written "a1 b2 c0+" : host, up-number (0 = Joining), '+' = role
/// "worker" (others have no role).</summary>
public sealed class DowningStrategyTests
{
    [Theory]
    [InlineData("a1 b2 c3", "d4 e5", DowningDecision.DownUnreachable)]
    [InlineData("d4 e5", "a1 b2 c3", DowningDecision.DownReachable)]
    [InlineData("a1 b2", "c3 d4", DowningDecision.DownUnreachable)] // tie: lowest address (a) is here
    [InlineData("c3 d4", "a1 b2", DowningDecision.DownReachable)]
    [InlineData("a1 x0 y0 z0", "b2 c3", DowningDecision.DownReachable)] // Joining members do not vote
    [InlineData("e5", "", DowningDecision.DownUnreachable)]
    public void KeepMajority(string reachable, string unreachable, DowningDecision expected) =>
        Assert.Equal(expected, new KeepMajority().Decide(Sides(reachable, unreachable)));

    [Theory]
    [InlineData("a1 b2+", "c3+ d4+ e5", DowningDecision.DownReachable)]
    [InlineData("a1 b2+ c3+", "d4 e5", DowningDecision.DownUnreachable)]
    [InlineData("a1+ b2", "c3+ d4", DowningDecision.DownUnreachable)] // tie among workers: lowest worker (a) is here
    public void KeepMajority_WithRole_CountsOnlyThatRole(string reachable, string unreachable, DowningDecision expected) =>
        Assert.Equal(expected, new KeepMajority("worker").Decide(Sides(reachable, unreachable)));

    [Theory]
    [InlineData(3, "a1 b2 c3", "d4 e5", DowningDecision.DownUnreachable)]
    [InlineData(3, "a1 b2", "c3 d4 e5", DowningDecision.DownReachable)]
    [InlineData(3, "a1 b2", "c3", DowningDecision.DownReachable)]
    [InlineData(3, "a1 b2 c3", "d4 e5 f6", DowningDecision.DownAll)] // 6 > 2*3-1: both sides could hold a quorum
    [InlineData(2, "a1 b2", "", DowningDecision.DownUnreachable)]
    public void StaticQuorum(int quorum, string reachable, string unreachable, DowningDecision expected) =>
        Assert.Equal(expected, new StaticQuorum(quorum).Decide(Sides(reachable, unreachable)));

    [Theory]
    [InlineData(true, "a1 b2", "c3 d4 e5", DowningDecision.DownUnreachable)] // the oldest (a1) is here
    [InlineData(true, "c3 d4 e5", "a1 b2", DowningDecision.DownReachable)]
    [InlineData(true, "a1", "b2 c3", DowningDecision.DownReachable)] // oldest alone: it goes, the rest stay
    [InlineData(true, "b2 c3", "a1", DowningDecision.DownUnreachable)]
    [InlineData(false, "a1", "b2 c3", DowningDecision.DownUnreachable)]
    [InlineData(false, "b2 c3", "a1", DowningDecision.DownReachable)]
    [InlineData(true, "z1 a2", "b3", DowningDecision.DownUnreachable)] // age, not address, decides
    public void KeepOldest(bool downIfAlone, string reachable, string unreachable, DowningDecision expected) =>
        Assert.Equal(expected, new KeepOldest(downIfAlone).Decide(Sides(reachable, unreachable)));

    [Theory]
    [InlineData("a1 b2 c3", "d4 e5")]
    [InlineData("a1", "b2 c3 d4 e5")]
    public void DownAll_AlwaysDownsEveryone(string reachable, string unreachable) =>
        Assert.Equal(DowningDecision.DownAll, new DownAll().Decide(Sides(reachable, unreachable)));

    /// <summary>The safety property: for any split both sides see alike, at most one side survives.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void EveryStrategy_ComplementarySides_AtMostOneSurvives(int seed)
    {
        var random = new Random(seed);
        IDowningStrategy[] strategies = [new KeepMajority(), new KeepMajority("worker"), new StaticQuorum(3), new KeepOldest(true), new KeepOldest(false), new DownAll()];
        for (var i = 0; i < 2000; i++)
        {
            var members = Enumerable.Range(0, random.Next(1, 8))
                .Select(index => MemberOf($"{(char)('a' + index)}{random.Next(0, 9)}{(random.Next(2) == 0 ? "+" : string.Empty)}"))
                .ToList();
            var here = members.Where(_ => random.Next(2) == 0).ToList();
            var there = members.Except(here).ToList();
            foreach (var strategy in strategies)
            {
                var mine = strategy.Decide(new SplitSides(here, there));
                var theirs = strategy.Decide(new SplitSides(there, here));
                var hereSurvives = mine == DowningDecision.DownUnreachable;
                var thereSurvives = theirs == DowningDecision.DownUnreachable;
                Assert.False(hereSurvives && thereSurvives && here.Count > 0 && there.Count > 0,
                    $"{strategy.Name} keeps both [{string.Join(' ', here)}] and [{string.Join(' ', there)}]");
            }
        }
    }

    private static SplitSides Sides(string reachable, string unreachable) => new(Parse(reachable), Parse(unreachable));

    private static List<Member> Parse(string side) => [.. side.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(MemberOf)];

    private static Member MemberOf(string text)
    {
        var worker = text.EndsWith('+');
        var up = int.Parse(text[1..].TrimEnd('+'), System.Globalization.CultureInfo.InvariantCulture);
        return new Member(
            new UniqueAddress(new NodeAddress(text[..1], 1), 1),
            up == 0 ? MemberStatus.Joining : MemberStatus.Up,
            worker ? ["worker"] : [],
            up);
    }
}
