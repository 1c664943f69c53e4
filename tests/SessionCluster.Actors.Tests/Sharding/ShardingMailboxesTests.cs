using System.Collections.Concurrent;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Runtime;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;
using SessionCluster.Actors.Tests.Runtime;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>The region's and the entities' bounded mailboxes under a flood: every refused request is answered with
/// <see cref="ShardUnavailable"/> (503 at the web layer), nothing else is ever refused.</summary>
public sealed class ShardingMailboxesTests
{
    private static readonly ShardingSettings Settings = ShardingSettings.Default with { NumberOfShards = 10, RegionMailboxCapacity = 20, EntityMailboxCapacity = 8 };
    private static readonly UniqueAddress Peer = new(new NodeAddress("127.0.0.1", 2), 2);
    private readonly HeldDispatcher _dispatcher = new();
    private readonly ActorSystem _system;
    private readonly RecordingTransport _transport = new();

    public ShardingMailboxesTests() => _system = new ActorSystem("sharding-mailboxes", new ManualTimeProvider(), dispatcher: _dispatcher);

    [Fact]
    public async Task Entity_FloodedWithRequestsForOneSession_AnswersEachRefusedOneAsUnavailable()
    {
        var entity = Start(ShardingMailboxes.Entity(Settings)!, out var received);
        var id = SessionId.New();
        var probe = new TestProbe("flooding-client");

        for (var i = 0; i < 100; i++)
        {
            entity.Tell(new GetSession(id), probe);
        }

        for (var i = 0; i < 92; i++)
        {
            var refused = await probe.ExpectMsg<ShardUnavailable>();
            Assert.Equal(ShardId.Of(id, Settings.NumberOfShards), refused.Shard);
            Assert.Contains("the session is overloaded (8 requests queued for it)", refused.Reason);
            Assert.False(refused.MayHaveApplied);
        }

        Assert.False(probe.HasMessages);
        _dispatcher.RunAll();
        Assert.Equal(8, received.Count);
    }

    [Fact]
    public void Entity_FullOfRequests_StillTakesReplicationMessagesAndTheEndOfARotation()
    {
        var entity = Start(ShardingMailboxes.Entity(Settings)!, out var received);
        var id = SessionId.New();
        for (var i = 0; i < 8; i++)
        {
            entity.Tell(new GetSession(id));
        }

        entity.Tell(new BackupAcknowledged(Peer.Address, 1, 1, 1));
        entity.Tell(new EndRotatedSession(id, []));
        entity.Tell(CheckSessionExpiry.Instance);
        entity.Tell(new GetSession(id));   // refused

        _dispatcher.RunAll();
        Assert.Equal(11, received.Count);
        Assert.Contains(received, m => m is EndRotatedSession);
        Assert.Equal(1, _system.MailboxOverflowCount);
    }

    [Fact]
    public async Task Region_FloodedWithLocalAndRemoteRequests_AnswersEachRefusedOneAndKeepsProtocolMessages()
    {
        var region = Start(ShardingMailboxes.Region(Settings, _transport)!, out var received);
        var id = SessionId.New();
        var shard = ShardId.Of(id, Settings.NumberOfShards);
        var local = new TestProbe("local-client");
        for (var i = 0; i < 20; i++)
        {
            region.Tell(new RouteCommand(new GetSession(id)), local);
        }

        region.Tell(new RouteCommand(new SetAttribute(id, "a", "1"u8.ToArray())), local);
        region.Tell(new RouteCommand(new SetAttribute(id, "a", "1"u8.ToArray()), SentBefore: true), local);
        region.Tell(new InboundMessage(Peer, new ShardEnvelope(-7, Peer.Address, shard, 3, new GetSession(id))));
        region.Tell(new InboundMessage(Peer, new ShardTransferAck(shard, 3, 0)));
        region.Tell(new InboundMessage(Peer, new QueryRegion(1)));

        var first = await local.ExpectMsg<ShardUnavailable>();
        Assert.Equal(shard, first.Shard);
        Assert.Contains("shard region is overloaded", first.Reason);
        Assert.False(first.MayHaveApplied);
        Assert.True((await local.ExpectMsg<ShardUnavailable>()).MayHaveApplied, "a re-routed request may have been applied where it went first");
        var (to, reply) = Assert.Single(_transport.Sent);
        Assert.Equal(Peer.Address, to);
        var remote = Assert.IsType<ShardReply>(reply);
        Assert.Equal(-7, remote.RequestId);
        Assert.IsType<ShardUnavailable>(remote.Reply);
        _dispatcher.RunAll();
        Assert.Equal(22, received.Count);
        Assert.Contains(received, m => m is InboundMessage { Message: ShardTransferAck });
        Assert.Contains(received, m => m is InboundMessage { Message: QueryRegion });
    }

    [Fact]
    public void ClusterDaemon_FloodedWithGossip_DropsOnlyGossipBeyondTheCapacity()
    {
        var daemon = Start(ClusterDaemon.Mailbox(ClusterSettings.Default with { DaemonMailboxCapacity = 5 })!, out var received);
        var gossip = new InboundMessage(Peer, new GossipEnvelope(Peer, Gossip.Empty));
        for (var i = 0; i < 50; i++)
        {
            daemon.Tell(gossip);
        }

        daemon.Tell(new InboundMessage(Peer, new Heartbeat(Peer)));
        daemon.Tell(GetClusterState.Instance);

        _dispatcher.RunAll();
        Assert.Equal(7, received.Count);
        Assert.Equal(45, _system.MailboxOverflowCount);
        Assert.Contains(received, m => m is InboundMessage { Message: Heartbeat });
        Assert.Contains(received, m => m is GetClusterState);
    }

    [Fact]
    public void Bounds_OfCapacityZero_AreNone()
    {
        var unbounded = Settings with { RegionMailboxCapacity = 0, EntityMailboxCapacity = 0 };

        Assert.Null(ShardingMailboxes.Region(unbounded, _transport));
        Assert.Null(ShardingMailboxes.Entity(unbounded));
        Assert.Null(ClusterDaemon.Mailbox(ClusterSettings.Default with { DaemonMailboxCapacity = 0 }));
    }

    private ActorRef Start(MailboxBound bound, out ConcurrentQueue<object> received)
    {
        var log = new ConcurrentQueue<object>();
        received = log;
        var actor = _system.ActorOf(Props.Create(() => new Sink(log)).WithMailbox(bound), "bounded");
        _dispatcher.RunAll();
        return actor;
    }

    private sealed class Sink(ConcurrentQueue<object> received) : Actor
    {
        protected internal override void Receive(object message) => received.Enqueue(message);
    }

    private sealed class RecordingTransport : ITransport
    {
        public ConcurrentQueue<(NodeAddress To, object Message)> Sent { get; } = new();

        public UniqueAddress Self { get; } = new(new NodeAddress("127.0.0.1", 1), 1);

        public Task StartAsync(ITransportHandler handler, CancellationToken cancellationToken) => Task.CompletedTask;

        public bool Send(NodeAddress to, object message)
        {
            Sent.Enqueue((to, message));
            return true;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
