using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Tests.Membership;

public sealed class HeartbeatRingTests
{
    private static readonly UniqueAddress[] Nodes = [.. Enumerable.Range(0, 20).Select(i => new UniqueAddress(new NodeAddress("10.0.0.1", 4000 + i), i + 1))];

    [Theory]
    [InlineData(6)]
    [InlineData(4)]
    [InlineData(5)]
    public void Neighbours_BoundedAndSymmetric(int monitoredBy)
    {
        var expected = monitoredBy % 2 == 0 ? monitoredBy : monitoredBy + 1;
        var watches = Nodes.ToDictionary(node => node, node => HeartbeatRing.Neighbours(node, Nodes, monitoredBy));

        foreach (var (node, targets) in watches)
        {
            Assert.Equal(expected, targets.Distinct().Count());
            Assert.DoesNotContain(node, targets);
            Assert.All(targets, target => Assert.Contains(node, watches[target]));
        }
    }

    [Fact]
    public void Neighbours_SmallCluster_EveryoneWatchesEveryone()
    {
        var five = Nodes.Take(5).ToList();

        Assert.All(five, node => Assert.Equal(4, HeartbeatRing.Neighbours(node, five, 6).Count));
    }

    [Fact]
    public void Neighbours_SameInAnyInputOrder()
    {
        var shuffled = Nodes.Reverse().ToList();

        Assert.Equal(HeartbeatRing.Neighbours(Nodes[3], Nodes, 6), HeartbeatRing.Neighbours(Nodes[3], shuffled, 6));
    }
}
