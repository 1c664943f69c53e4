using Microsoft.Extensions.Logging;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Runtime;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;
using SessionCluster.Actors.Tests.Remoting;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>The production region actor, its session entities and the transport's inbox on one node, with the
/// coordinator and the backup played by the test over an in-memory network on a manual clock.</summary>
public sealed class ShardRegionActorReplicationTests : IAsyncLifetime
{
    private const int Shard = 3;
    private static readonly UniqueAddress A = new(new NodeAddress("a", 1), 1);
    private static readonly UniqueAddress B = new(new NodeAddress("b", 1), 2);
    private static readonly UniqueAddress C = new(new NodeAddress("c", 1), 3);

    // Far beyond anything the test advances: a reply that never comes shows as a wait that times out, not as a 503.
    private static readonly TimeSpan Never = TimeSpan.FromHours(1);
    private static readonly ShardingSettings Sharding = ShardingSettings.Default with { NumberOfShards = 10 };

    private readonly ManualTimeProvider _clock = new();
    private readonly ActorSystem _system;
    private readonly InMemoryNetwork _network;
    private readonly InMemoryTransport _transport;
    private readonly InMemoryTransport _backup;
    private readonly BackupHandler _backupHandler = new();
    private readonly LocalShards _local = new(Sharding.NumberOfShards);
    private readonly CapturingLogger _log = new();
    private ActorRef? _region;

    public ShardRegionActorReplicationTests()
    {
        _system = new ActorSystem("a", _clock);
        _network = new InMemoryNetwork(_clock, seed: 1);
        _transport = _network.CreateTransport(A.Address, A.Uid);
        _backup = _network.CreateTransport(B.Address, B.Uid);
    }

    public async Task InitializeAsync()
    {
        var replication = ReplicationSettings.Default with { WriteTimeout = Never };
        var replicas = new ShardReplicas(Sharding.NumberOfShards, replication, _transport, _clock);
        var remote = new RemoteRequests(_clock, TimeSpan.FromSeconds(5));
        var host = new SessionHost(SessionClusterSettings.Default.Sessions with { MaxValueBytes = 100 }, "a", new ReplicaId(A.ToString()), replicas);
        var region = new ShardRegion(A, hostsShards: true, Sharding, TimeSpan.FromSeconds(5));
        _region = _system.ActorOf(
            Props.Create(() => new ShardRegionActor(
                region, null, _transport, new TestProbe("daemon"), _local, new ShardRoutes(Sharding.NumberOfShards), remote, host, replicas, _clock, _log)),
            "sharding");
        await _transport.StartAsync(new InboxHandler(new ShardingInbox(_region, remote, _local, _transport, replicas)), default);
        await _backup.StartAsync(_backupHandler, default);
    }

    public async Task DisposeAsync()
    {
        await _transport.DisposeAsync();
        await _backup.DisposeAsync();
        await _system.TerminateAsync();
    }

    [Fact]
    public async Task A_write_waiting_for_its_backup_when_its_shard_starts_a_hand_off_is_answered_once_the_backup_acknowledges()
    {
        var region = _region!;
        // B coordinates (the oldest worker) and backs the shard up; A serves it.
        FollowB(region);
        region.Tell(new InboundMessage(B, new ShardHomes(1, [new ShardAllocation(Shard, A.Address, 5, [B.Address])])));
        var id = SessionIn(Shard);

        var created = region.Ask<object>(new RouteCommand(new CreateSession(id)), Never);
        var creation = await Delta(delta => delta.Delta.Id == id.Value, "the creation's delta");
        _backup.Send(A.Address, new ReplicaDeltaAck(Shard, 5, id.Value, creation.FromSeq, creation.ToSeq));
        Assert.IsType<SessionSnapshot>(await Answer(created, "the creation answered once its backup had it"));

        var increment = region.Ask<object>(new RouteCommand(new IncrementAttribute(id, "n", 1, IncrementAttribute.NewOperationId())), Never);
        var delta = await Delta(delta => delta.Delta.Get("n") is not null, "the increment's delta");
        region.Tell(new InboundMessage(B, new HandOffShard(1, Shard, C.Address, 6)));
        await Pumped(() => _local[Shard] is { Serving: false }, "the shard collecting: its entities told to stop");
        Assert.False(increment.IsCompleted);

        _backup.Send(A.Address, new ReplicaDeltaAck(Shard, 5, id.Value, delta.FromSeq, delta.ToSeq));

        var answered = Assert.IsType<AttributeValue>(await Answer(increment, "the held increment answered after the backup's ack"));
        Assert.Equal("1", System.Text.Encoding.UTF8.GetString(answered.JsonValue!));
    }

    [Fact]
    public async Task A_hand_off_slice_holding_a_session_over_the_limits_starts_the_shard_with_only_the_valid_sessions()
    {
        var region = _region!;
        FollowB(region);
        var valid = StateOf(SessionIn(Shard, skip: 0), "\"fine\"");
        var oversized = StateOf(SessionIn(Shard, skip: 1), "\"" + new string('x', 200) + "\"");   // over max-value-bytes = 100

        // C, the old home (hostile or misconfigured), hands the shard over in one slice; B confirms A as its new home.
        region.Tell(new InboundMessage(C, new ShardTransfer(Shard, 6, 0, 1, [valid, oversized])));
        region.Tell(new InboundMessage(B, new ShardHomes(1, [new ShardAllocation(Shard, A.Address, 6, [])])));

        await Pumped(() => _local[Shard] is { Serving: true }, "the shard serving at its new home");
        var hosted = _local[Shard]!;
        Assert.True(hosted.Sessions.TryGet(new SessionId(valid.Id), out _), "the valid session of the slice arrived");
        Assert.False(hosted.Sessions.TryGet(new SessionId(oversized.Id), out _), "the oversized session was left out");
        var warning = Assert.Single(_log.Entries, e => e.Event.Id == 420);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("1 of 2 sessions in a hand-off slice from " + C, warning.Message);
        Assert.Contains("over the value or name limit", warning.Message);
        Assert.DoesNotContain(oversized.Id.ToString("x32", System.Globalization.CultureInfo.InvariantCulture), warning.Message);
    }

    [Fact]
    public async Task Shards_started_by_one_decision_are_logged_as_one_line_naming_them_and_their_sessions()
    {
        var region = _region!;
        FollowB(region);
        const int other = Shard + 2;
        region.Tell(new InboundMessage(C, new ShardTransfer(Shard, 6, 0, 1, [StateOf(SessionIn(Shard, skip: 0), "\"a\"")])));
        region.Tell(new InboundMessage(C, new ShardTransfer(other, 7, 0, 1, [StateOf(SessionIn(other, skip: 0), "\"b\""), StateOf(SessionIn(other, skip: 1), "\"c\"")])));

        // One table confirms A as the new home of both.
        region.Tell(new InboundMessage(B, new ShardHomes(1, [new ShardAllocation(Shard, A.Address, 6, []), new ShardAllocation(other, A.Address, 7, [])])));

        // The line is written once the decision's shards are all published, so it is what to wait for.
        await Pumped(() => _log.Entries.Any(e => e.Message.Contains("shards started", StringComparison.Ordinal)), "the shards' start logged");
        Assert.True(_local[Shard] is { Serving: true } && _local[other] is { Serving: true }, "both shards serve at their new home");
        var line = Assert.Single(_log.Entries, e => e.Message.Contains("shards started", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Equal($"2 shards started: {Shard}, {other}; 3 sessions, from 3 handed over and 0 in this node's backup copies", line.Message);
    }

    [Fact]
    public async Task Shards_whose_moves_here_are_confirmed_one_by_one_are_logged_as_one_line_once_none_is_on_its_way()
    {
        var region = _region!;
        FollowB(region);
        const int other = Shard + 2;
        region.Tell(new InboundMessage(C, new ShardTransfer(Shard, 6, 0, 1, [StateOf(SessionIn(Shard, skip: 0), "\"a\"")])));
        region.Tell(new InboundMessage(C, new ShardTransfer(other, 7, 0, 1, [StateOf(SessionIn(other, skip: 0), "\"b\"")])));

        region.Tell(new InboundMessage(B, new ShardHomes(1, [new ShardAllocation(Shard, A.Address, 6, [])])));
        await Pumped(() => _local[Shard] is { Serving: true }, "the first shard serving here");
        Assert.DoesNotContain(_log.Entries, e => e.Message.Contains("shards started", StringComparison.Ordinal));
        region.Tell(new InboundMessage(B, new ShardHomes(1, [new ShardAllocation(other, A.Address, 7, [])])));

        await Pumped(() => _log.Entries.Any(e => e.Message.Contains("shards started", StringComparison.Ordinal)), "the shards' start logged");
        var line = Assert.Single(_log.Entries, e => e.Message.Contains("shards started", StringComparison.Ordinal));
        Assert.Equal($"2 shards started: {Shard}, {other}; 2 sessions, from 2 handed over and 0 in this node's backup copies", line.Message);
    }

    [Fact]
    public async Task Backup_copies_arriving_a_few_at_a_time_are_logged_as_one_line_once_all_are_whole_and_none_came_for_a_second()
    {
        var region = _region!;
        FollowB(region);
        const int other = Shard + 2;
        region.Tell(new InboundMessage(B, new ShardHomes(1, [new ShardAllocation(Shard, B.Address, 5, [A.Address]), new ShardAllocation(other, B.Address, 5, [A.Address])])));
        await Synced(region);

        _backup.Send(A.Address, new ReplicaCopy(Shard, 5, 0, 1, [StateOf(SessionIn(Shard, skip: 0), "\"a\"")]));
        _backup.Send(A.Address, new ReplicaCopy(other, 5, 0, 2, [StateOf(SessionIn(other, skip: 0), "\"b\"")]));
        await Pumped(() => _log.Entries.Any(e => e.Message == $"Shard {Shard} backup copy complete"), "the first copy complete");
        _clock.Advance(TimeSpan.FromSeconds(2));
        await Synced(region);
        Assert.DoesNotContain(_log.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("backup copies", StringComparison.Ordinal));

        _backup.Send(A.Address, new ReplicaCopy(other, 5, 1, 2, [StateOf(SessionIn(other, skip: 1), "\"c\"")]));
        await Pumped(() => _log.Entries.Any(e => e.Message == $"Shard {other} backup copy complete"), "the other copy complete");
        await Synced(region);
        Assert.DoesNotContain(_log.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("backup copies", StringComparison.Ordinal));
        _clock.Advance(TimeSpan.FromSeconds(1));
        await Synced(region);

        var line = Assert.Single(_log.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("backup copies", StringComparison.Ordinal));
        Assert.Equal($"2 backup copies completed; this node holds 2 (2 whole): {Shard}, {other}; 3 sessions", line.Message);
    }

    [Fact]
    public async Task A_hand_off_offered_as_fingerprints_is_taken_from_the_backup_copy_when_it_matches()
    {
        var region = _region!;
        var (session, other) = (StateOf(SessionIn(Shard, skip: 0), "\"a\""), StateOf(SessionIn(Shard, skip: 1), "\"b\""));
        await BackUpShardOfB(region, session, other);

        // B hands the shard to A, offering it: A's copy holds both sessions, one since read again at B.
        var readAtB = session.Accessed(_clock.GetUtcNow().AddMinutes(1));
        _backup.Send(A.Address, ShardTransferOffers.Of(Shard, 6, 0, 1, [readAtB, other]));
        await Pumped(() => _backupHandler.Received.OfType<ShardTransferAck>().Any(), "the offered slice acknowledged");
        region.Tell(new InboundMessage(B, new ShardHomes(1, [new ShardAllocation(Shard, A.Address, 6, [B.Address])])));

        await Pumped(() => _local[Shard] is { Serving: true }, "the shard serving at A");
        Assert.Equal(new ShardTransferAck(Shard, 6, 0), Assert.Single(_backupHandler.Received.OfType<ShardTransferAck>()));
        Assert.Empty(_backupHandler.Received.OfType<ShardTransferDeclined>());
        Assert.True(_local[Shard]!.Sessions.TryGet(new SessionId(session.Id), out var served));
        Assert.Equal(readAtB, served.State);
        Assert.True(_local[Shard]!.Sessions.TryGet(new SessionId(other.Id), out _));
    }

    [Fact]
    public async Task An_offered_slice_the_backup_copy_does_not_match_is_declined_and_nothing_is_taken()
    {
        var region = _region!;
        var (session, other) = (StateOf(SessionIn(Shard, skip: 0), "\"a\""), StateOf(SessionIn(Shard, skip: 1), "\"b\""));
        await BackUpShardOfB(region, session, other);
        var written = StateOf(SessionIn(Shard, skip: 1), "\"newer\"");   // a write at B that never reached A's copy

        _backup.Send(A.Address, ShardTransferOffers.Of(Shard, 6, 0, 1, [session, written]));

        await Pumped(() => _backupHandler.Received.OfType<ShardTransferDeclined>().Any(), "the offer declined");
        Assert.Equal(new ShardTransferDeclined(Shard, 6, 0), Assert.Single(_backupHandler.Received.OfType<ShardTransferDeclined>()));
        Assert.Empty(_backupHandler.Received.OfType<ShardTransferAck>());
        Assert.Null(_local[Shard]);
    }

    [Fact]
    public async Task Shards_handed_off_to_one_node_are_logged_as_one_line_once_none_is_moving()
    {
        var region = _region!;
        FollowB(region);
        const int other = Shard + 2;
        region.Tell(new InboundMessage(B, new ShardHomes(1, [new ShardAllocation(Shard, A.Address, 5, []), new ShardAllocation(other, A.Address, 5, [])])));
        Assert.IsType<SessionSnapshot>(await Answer(region.Ask<object>(new RouteCommand(new CreateSession(SessionIn(Shard))), Never), "a session in the first shard"));
        Assert.IsType<SessionSnapshot>(await Answer(region.Ask<object>(new RouteCommand(new CreateSession(SessionIn(other))), Never), "a session in the other"));

        // A rebalance round moves both to C; the first move is confirmed (A kept as its backup), then the second.
        region.Tell(new InboundMessage(B, new HandOffShard(1, Shard, C.Address, 6)));
        region.Tell(new InboundMessage(B, new HandOffShard(1, other, C.Address, 7)));
        await Pumped(() => _local[Shard] is { Serving: false } && _local[other] is { Serving: false }, "both shards handing off");
        region.Tell(new InboundMessage(B, new ShardHomes(1, [new ShardAllocation(Shard, C.Address, 6, [A.Address])])));
        await Pumped(() => _local[Shard] is null, "the first shard no longer hosted here");
        Assert.DoesNotContain(_log.Entries, e => e.Level >= LogLevel.Information && e.Message.Contains("handed off", StringComparison.Ordinal));
        region.Tell(new InboundMessage(B, new ShardHomes(1, [new ShardAllocation(other, C.Address, 7, [])])));

        await Pumped(() => _log.Entries.Any(e => e.Level == LogLevel.Information && e.Message.Contains("handed off", StringComparison.Ordinal)), "the hand-offs logged");
        var line = Assert.Single(_log.Entries, e => e.Level >= LogLevel.Information && e.Message.Contains("handed off", StringComparison.Ordinal));
        Assert.Equal($"2 shards handed off to {C.Address}: {Shard}, {other}; 2 sessions; 1 of these shards kept here as backup copies", line.Message);
        Assert.DoesNotContain(_log.Entries, e => e.Level >= LogLevel.Information && e.Message.StartsWith("Shard ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_anti_entropy_push_of_a_session_over_the_limits_is_not_adopted()
    {
        var region = _region!;
        FollowB(region);
        region.Tell(new InboundMessage(B, new ShardHomes(1, [new ShardAllocation(Shard, A.Address, 5, [B.Address])])));
        await Pumped(() => _local[Shard] is { Serving: true }, "the shard serving");
        var valid = StateOf(SessionIn(Shard, skip: 0), "\"fine\"");
        var oversized = StateOf(SessionIn(Shard, skip: 1), "\"" + new string('x', 200) + "\"");

        // B, the backup, pushes both (as if the home had lost them); only the one within the limits is taken.
        region.Tell(new InboundMessage(B, new ReplicaPush(Shard, 5, oversized)));
        region.Tell(new InboundMessage(B, new ReplicaPush(Shard, 5, valid)));

        await Pumped(() => _local[Shard]!.Sessions.TryGet(new SessionId(valid.Id), out _), "the valid push adopted");
        Assert.False(_local[Shard]!.Sessions.TryGet(new SessionId(oversized.Id), out _), "the oversized push was not adopted");
        Assert.Contains(_log.Entries, e => e.Event.Id == 420 && e.Message.Contains("an anti-entropy push from " + B.Address));
    }

    private SessionCrdt StateOf(SessionId id, string json) =>
        SessionCrdt.Create(id.Value, _clock.GetUtcNow(), TimeSpan.FromMinutes(30))
            .Set("a", System.Text.Encoding.UTF8.GetBytes(json), new HlcTimestamp(_clock.GetUtcNow().UtcTicks, 1, new ReplicaId(C.ToString())))
            .State;

    private async Task<ReplicaDelta> Delta(Func<ReplicaDelta, bool> match, string what)
    {
        await Pumped(() => _backupHandler.Deltas.Any(match), what + " at the backup");
        return _backupHandler.Deltas.First(match);
    }

    private async Task<object> Answer(Task<object> request, string what)
    {
        await Pumped(() => request.IsCompleted, what);
        return await request;
    }

    /// <summary>Waits for <paramref name="condition"/>, moving the manual clock a millisecond at a time so that the
    /// network delivers (and the region ticks); far from any write or request timeout.</summary>
    private Task Pumped(Func<bool> condition, string what) =>
        Eventually.True(
            () =>
            {
                _clock.Advance(TimeSpan.FromMilliseconds(1));
                return condition();
            },
            what);

    /// <summary>B serves <see cref="Shard"/> under epoch 5 and A backs it up: A's copy is whole with <paramref name="sessions"/>.</summary>
    private async Task BackUpShardOfB(ActorRef region, params SessionCrdt[] sessions)
    {
        FollowB(region);
        region.Tell(new InboundMessage(B, new ShardHomes(1, [new ShardAllocation(Shard, B.Address, 5, [A.Address])])));
        await Synced(region);
        _backup.Send(A.Address, new ReplicaCopy(Shard, 5, 0, 1, [.. sessions]));
        await Pumped(() => _log.Entries.Any(e => e.Message == $"Shard {Shard} backup copy complete"), "A's copy whole");
    }

    /// <summary>A, B and C are members; B, the oldest worker, coordinates under reign 1, and A's region follows it.</summary>
    private static void FollowB(ActorRef region)
    {
        region.Tell(ShardRegionTests.State(B, A, C));
        region.Tell(new InboundMessage(B, new QueryRegion(1)));
    }

    /// <summary>Returns once the region actor has handled everything told to it before (ticks the clock fired included).</summary>
    private static async Task Synced(ActorRef region) =>
        Assert.IsType<RegionDrainStatus>(await region.Ask<object>(GetRegionDrainStatus.Instance, TimeSpan.FromSeconds(10)));

    private static SessionId SessionIn(int shard, int skip = 0)
    {
        for (var i = 0UL; ; i++)
        {
            var id = new SessionId(new UInt128(0xac4, i));
            if (ShardId.Of(id, Sharding.NumberOfShards) == shard && skip-- == 0)
            {
                return id;
            }
        }
    }

    /// <summary>Hands what node A's transport receives to its inbox, as the cluster node does.</summary>
    private sealed class InboxHandler(ShardingInbox inbox) : ITransportHandler
    {
        public void OnMessage(UniqueAddress from, object message) => inbox.OnMessage(from, message);

        public void OnConnectionRefused(NodeAddress peer)
        {
        }
    }

    /// <summary>The backup: keeps what it is sent, acknowledges nothing by itself.</summary>
    private sealed class BackupHandler : ITransportHandler
    {
        private readonly List<object> _received = [];

        public IReadOnlyList<ReplicaDelta> Deltas => [.. Received.OfType<ReplicaDelta>()];

        public IReadOnlyList<object> Received
        {
            get
            {
                lock (_received)
                {
                    return [.. _received];
                }
            }
        }

        public void OnMessage(UniqueAddress from, object message)
        {
            lock (_received)
            {
                _received.Add(message);
            }
        }

        public void OnConnectionRefused(NodeAddress peer)
        {
        }
    }
}
