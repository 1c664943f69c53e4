using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>A region's operator-set capacity weight: told to the coordinator at once and now and then after, and
/// reported to every new reign.</summary>
public sealed class ShardRegionWeightTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly UniqueAddress A = new(new NodeAddress("a", 1), 1);
    private static readonly UniqueAddress B = new(new NodeAddress("b", 1), 2);

    [Fact]
    public void A_new_weight_goes_to_the_coordinator_is_repeated_and_is_reported_to_the_next_reign()
    {
        var settings = ShardingSettings.Default with { NumberOfShards = 4 };
        var region = new ShardRegion(B, hostsShards: true, settings, TimeSpan.FromSeconds(5));
        region.MembershipChanged(State(), T0);

        var told = region.SetWeight(4, T0);

        Assert.Contains(new SendToNode(A.Address, new RegionWeightChanged(4)), told);
        Assert.Equal(4, region.CapacityWeight);
        Assert.DoesNotContain(region.Tick(T0 + settings.RetryInterval), effect => effect is SendToNode { Message: RegionWeightChanged });
        Assert.Contains(new SendToNode(A.Address, new RegionWeightChanged(4)), region.Tick(T0 + settings.RetryInterval * 10));
        var report = region.Receive(A, new QueryRegion(5), T0).OfType<SendToNode>().Select(send => send.Message).OfType<RegionReport>().Single();
        Assert.Equal(4, report.Weight);
    }

    [Fact]
    public void A_negative_or_infinite_weight_is_refused()
    {
        var region = new ShardRegion(B, hostsShards: true, ShardingSettings.Default, TimeSpan.FromSeconds(5));

        Assert.Throws<ArgumentOutOfRangeException>(() => region.SetWeight(-1, T0));
        Assert.Throws<ArgumentOutOfRangeException>(() => region.SetWeight(double.PositiveInfinity, T0));
    }

    private static CurrentClusterState State() =>
        new(
            B,
            [new Member(A, MemberStatus.Up, ["worker"], 1), new Member(B, MemberStatus.Up, ["worker"], 2)],
            [],
            A,
            IsConverged: true);
}
