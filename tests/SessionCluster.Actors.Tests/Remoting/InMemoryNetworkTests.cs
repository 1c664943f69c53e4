using SessionCluster.Actors.Remoting;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Remoting;

public sealed class InMemoryNetworkTests
{
    private static readonly NodeAddress A = new("a", 1);
    private static readonly NodeAddress B = new("b", 1);
    private static readonly NodeAddress C = new("c", 1);

    private readonly ManualTimeProvider _clock = new();

    [Fact]
    public async Task Send_PerfectLink_DeliversInOrderAtNextStep()
    {
        var network = new InMemoryNetwork(_clock, seed: 1);
        var (a, _) = await Start(network, A);
        var (_, inbox) = await Start(network, B);

        for (var i = 0; i < 100; i++)
        {
            Assert.True(a.Send(B, i));
        }

        Assert.Empty(inbox);
        _clock.Advance(TimeSpan.Zero);

        Assert.Equal(Enumerable.Range(0, 100), inbox.Select(m => (int)m.Message));
        Assert.All(inbox, m => Assert.Equal(a.Self, m.From));
    }

    [Fact]
    public async Task Send_WithDelay_ArrivesOnlyAfterTransitTime()
    {
        var network = new InMemoryNetwork(_clock, seed: 1);
        network.SetFaults(A, B, new LinkFaults(MinDelay: TimeSpan.FromMilliseconds(50), MaxDelay: TimeSpan.FromMilliseconds(50)));
        var (a, _) = await Start(network, A);
        var (_, inbox) = await Start(network, B);

        a.Send(B, "x");
        _clock.Advance(TimeSpan.FromMilliseconds(49));
        Assert.Empty(inbox);
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Single(inbox);
    }

    [Fact]
    public async Task Faults_SameSeed_GiveSameDeliveries()
    {
        static async Task<List<int>> Run(int seed)
        {
            var clock = new ManualTimeProvider();
            var network = new InMemoryNetwork(clock, seed);
            network.SetDefaultFaults(new LinkFaults(DropRate: 0.2, DuplicateRate: 0.1, MaxDelay: TimeSpan.FromMilliseconds(20)));
            var (a, _) = await Start(network, A);
            var (_, inbox) = await Start(network, B);
            for (var i = 0; i < 500; i++)
            {
                a.Send(B, i);
            }

            clock.Advance(TimeSpan.FromSeconds(1));
            return [.. inbox.Select(m => (int)m.Message)];
        }

        var first = await Run(42);
        var again = await Run(42);
        var other = await Run(43);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.InRange(first.Distinct().Count(), 350, 450);
        Assert.True(first.Count > first.Distinct().Count(), "some messages were duplicated");
        Assert.NotEqual(first.OrderBy(i => i), first);
    }

    [Fact]
    public async Task Partition_CutsBothWays_AndHealRestores()
    {
        var network = new InMemoryNetwork(_clock, seed: 1);
        var (a, inboxA) = await Start(network, A);
        var (b, inboxB) = await Start(network, B);
        var (c, inboxC) = await Start(network, C);

        network.Partition([A], [B, C]);
        a.Send(B, "lost");
        b.Send(A, "lost");
        b.Send(C, "kept");
        _clock.Advance(TimeSpan.Zero);

        Assert.Empty(inboxA);
        Assert.Empty(inboxB);
        Assert.Single(inboxC);
        Assert.Equal(2, network.Dropped);

        network.Heal();
        a.Send(B, "after");
        _clock.Advance(TimeSpan.Zero);
        Assert.Equal("after", Assert.Single(inboxB).Message);
    }

    [Fact]
    public async Task PartitionOneWay_CutsOnlyThatDirection()
    {
        var network = new InMemoryNetwork(_clock, seed: 1);
        var (a, inboxA) = await Start(network, A);
        var (b, inboxB) = await Start(network, B);

        network.PartitionOneWay([A], [B]);
        a.Send(B, "lost");
        b.Send(A, "kept");
        _clock.Advance(TimeSpan.Zero);

        Assert.Empty(inboxB);
        Assert.Single(inboxA);
    }

    [Fact]
    public async Task Crash_LosesQueuedMessagesAndStopsSending()
    {
        var network = new InMemoryNetwork(_clock, seed: 1);
        var (a, _) = await Start(network, A);
        var (b, inboxB) = await Start(network, B);
        a.Send(B, "queued");

        network.Crash(B);
        _clock.Advance(TimeSpan.Zero);

        Assert.Empty(inboxB);
        Assert.False(b.Send(A, "from the dead"));
    }

    [Fact]
    public async Task NewIncarnation_ReplacesOldOnSameAddress()
    {
        var network = new InMemoryNetwork(_clock, seed: 1);
        var (a, _) = await Start(network, A);
        var (old, oldInbox) = await Start(network, B, uid: 1);
        var (fresh, freshInbox) = await Start(network, B, uid: 2);

        a.Send(B, "hello");
        _clock.Advance(TimeSpan.Zero);

        Assert.Empty(oldInbox);
        Assert.Single(freshInbox);
        Assert.False(old.Send(A, "zombie"));
        Assert.Equal(2, fresh.Self.Uid);
    }

    private static async Task<(InMemoryTransport Transport, List<(UniqueAddress From, object Message)> Inbox)> Start(
        InMemoryNetwork network, NodeAddress address, long uid = 1)
    {
        var transport = network.CreateTransport(address, uid);
        var inbox = new List<(UniqueAddress, object)>();
        await transport.StartAsync(new RecordingHandler(inbox), default);
        return (transport, inbox);
    }

    private sealed class RecordingHandler(List<(UniqueAddress, object)> inbox) : ITransportHandler
    {
        public void OnMessage(UniqueAddress from, object message) => inbox.Add((from, message));
    }
}
