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
    public async Task Send_ToCrashedNode_ReportsRefusedToTheSenderAfterTheTransitTime()
    {
        var network = new InMemoryNetwork(_clock, seed: 1);
        network.SetFaults(A, B, new LinkFaults(MinDelay: TimeSpan.FromMilliseconds(5), MaxDelay: TimeSpan.FromMilliseconds(5)));
        var (a, recorder) = await StartRecording(network, A);
        await Start(network, B);
        network.Crash(B);

        Assert.True(a.Send(B, "to the dead"));
        _clock.Advance(TimeSpan.FromMilliseconds(4));
        Assert.Empty(recorder.Refused);
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal([B], recorder.Refused);
        Assert.Empty(recorder.Inbox);
        Assert.Equal(1, network.Dropped);
    }

    [Fact]
    public async Task Send_ToNodeNeverStarted_ReportsRefused_ManySendsOneReportWhileItWaits()
    {
        var network = new InMemoryNetwork(_clock, seed: 1);
        var (a, recorder) = await StartRecording(network, A);

        for (var i = 0; i < 10; i++)
        {
            a.Send(C, i);
        }

        _clock.Advance(TimeSpan.Zero);
        Assert.Equal([C], recorder.Refused);

        a.Send(C, "again");
        _clock.Advance(TimeSpan.Zero);
        Assert.Equal([C, C], recorder.Refused);
    }

    [Fact]
    public async Task Send_IntoPartition_ReportsNothing_EvenWhenTheNodeBehindItCrashed()
    {
        var network = new InMemoryNetwork(_clock, seed: 1);
        var (a, recorder) = await StartRecording(network, A);
        await Start(network, B);
        await Start(network, C);

        network.Partition([A], [B, C]);
        network.Crash(C);
        a.Send(B, "into the black hole");
        a.Send(C, "into the black hole, to a dead node");
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Empty(recorder.Refused);
        Assert.Equal(2, network.Dropped);

        network.Heal();
        a.Send(C, "after the heal");
        _clock.Advance(TimeSpan.Zero);
        Assert.Equal([C], recorder.Refused);
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
        var (transport, recorder) = await StartRecording(network, address, uid);
        return (transport, recorder.Inbox);
    }

    private static async Task<(InMemoryTransport Transport, Recorder Recorder)> StartRecording(InMemoryNetwork network, NodeAddress address, long uid = 1)
    {
        var transport = network.CreateTransport(address, uid);
        var recorder = new Recorder();
        await transport.StartAsync(recorder, default);
        return (transport, recorder);
    }

    private sealed class Recorder : ITransportHandler
    {
        public List<(UniqueAddress From, object Message)> Inbox { get; } = [];

        public List<NodeAddress> Refused { get; } = [];

        public void OnMessage(UniqueAddress from, object message) => Inbox.Add((from, message));

        public void OnConnectionRefused(NodeAddress peer) => Refused.Add(peer);
    }
}
