using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Runtime;
using SessionCluster.Actors.Sessions;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Sessions;

/// <summary>A session entity with backups: its deltas go out, its replies wait for the write consistency, a read-only
/// session's access time is shipped now and then, and a reply that waits too long fails with the channel's answer.</summary>
public sealed class SessionEntityReplicationTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly SessionId Id = new(new UInt128(0xe8, 0x18));
    private static readonly NodeAddress Backup = new("10.0.0.2", 4000);
    private static readonly SessionSettings Settings = SessionClusterSettings.Default.Sessions with { MaxInactiveInterval = TimeSpan.FromMinutes(30) };

    private readonly ManualTimeProvider _clock = new();
    private readonly ActorSystem _system;
    private readonly FakeChannel _channel = new();

    public SessionEntityReplicationTests() => _system = new ActorSystem("replicating", _clock);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _system.TerminateAsync();

    [Fact]
    public async Task A_write_is_answered_only_once_its_backup_acknowledged_it()
    {
        var entity = Start();
        var reply = entity.Ask<AttributeValue>(new IncrementAttribute(Id, "n", 2, 1), Timeout);

        var sent = await Eventually.Value(() => Task.FromResult(_channel.Sent.ToArray()), s => s.Length == 1, "the delta sent", Timeout);
        var (to, message) = sent[0];
        var delta = Assert.IsType<ReplicaDelta>(message);
        Assert.Equal(Backup, to);
        Assert.Equal((3, 7L), (delta.Shard, delta.Epoch));
        Assert.Equal("2", Text(delta.Delta.Get("n")));
        Assert.False(reply.IsCompleted);

        entity.Tell(new BackupAcknowledged(Backup, 7, delta.FromSeq, delta.ToSeq));

        Assert.Equal("2", Text((await reply).JsonValue));
    }

    [Fact]
    public async Task A_reply_whose_write_is_never_acknowledged_fails_at_the_write_timeout_with_the_channels_answer()
    {
        var entity = Start();
        var reply = entity.Ask<object>(new SetAttribute(Id, "a", Json("1")), Timeout);
        await Eventually.True(() => !_channel.Sent.IsEmpty, "the delta sent", Timeout);

        _clock.Advance(_channel.Settings.WriteTimeout);

        Assert.Equal("not replicated in shard 3", await reply);
    }

    [Fact]
    public async Task Reads_ship_the_access_time_once_it_is_a_touch_interval_stale_and_do_not_wait_for_it()
    {
        var entity = Start();
        await entity.Ask<SessionSnapshot>(new GetSession(Id), Timeout);
        Assert.Empty(_channel.Sent);

        _clock.Advance(_channel.Settings.TouchInterval);
        var snapshot = await entity.Ask<SessionSnapshot>(new GetSession(Id), Timeout);

        var touch = Assert.IsType<ReplicaDelta>(Assert.Single(_channel.Sent).Message);
        Assert.Equal(snapshot.LastAccessed, touch.Delta.LastAccessed);
        Assert.Equal(0, touch.Delta.AttributeCount);
    }

    [Fact]
    public async Task An_increments_delta_carries_only_the_records_its_backups_do_not_hold_yet_and_all_of_them_for_new_backups()
    {
        var entity = Start();
        var shipped = new List<int>();
        for (var op = 1UL; op <= 4; op++)
        {
            if (op == 4)
            {
                // New backups (a new replica epoch): they are not known to hold anything yet.
                _channel.Epoch = 8;
            }

            var reply = entity.Ask<AttributeValue>(new IncrementAttribute(Id, "n", 1, op), Timeout);
            var delta = await Eventually.Value(
                () => Task.FromResult(_channel.Sent.Select(sent => sent.Message).OfType<ReplicaDelta>().ElementAtOrDefault((int)op - 1)),
                d => d is not null, $"delta {op}", Timeout);
            shipped.Add(delta!.Delta.RecentIncrements.Count);
            entity.Tell(new BackupAcknowledged(Backup, delta.Epoch, delta.FromSeq, delta.ToSeq));
            Assert.Equal(op.ToString(System.Globalization.CultureInfo.InvariantCulture), Text((await reply).JsonValue));
        }

        // The first delta of an entity ships what it remembers; once acknowledged, each ships only its own record.
        Assert.Equal([1, 1, 1, 4], shipped);
    }

    [Fact]
    public async Task A_retried_increment_is_recognised_by_a_backup_that_only_ever_got_the_trimmed_deltas()
    {
        var entity = Start();
        var backup = SessionCommands.NewSession(Id, _clock.GetUtcNow(), Settings);
        for (var op = 1UL; op <= 3; op++)
        {
            var reply = entity.Ask<AttributeValue>(new IncrementAttribute(Id, "n", 5, op), Timeout);
            var delta = await Eventually.Value(
                () => Task.FromResult(_channel.Sent.Select(sent => sent.Message).OfType<ReplicaDelta>().ElementAtOrDefault((int)op - 1)),
                d => d is not null, $"delta {op}", Timeout);
            backup = SessionCrdt.Merge(backup, delta!.Delta);
            entity.Tell(new BackupAcknowledged(Backup, delta.Epoch, delta.FromSeq, delta.ToSeq));
            await reply;
        }

        // The backup, promoted, answers a retry of the first increment with its first result instead of counting it again.
        var retry = SessionCommands.Apply(backup, new IncrementAttribute(Id, "n", 5, 1), new SessionHost(Settings, "backup", new ReplicaId("10.0.0.2:4000#1"), null), _clock.GetUtcNow());
        Assert.Equal("5", Text(Assert.IsType<AttributeValue>(retry.Reply).JsonValue));
        Assert.Equal("15", Text(retry.State.Get("n")));
    }

    private ActorRef Start()
    {
        var slot = new SessionSlot(SessionCommands.NewSession(Id, _clock.GetUtcNow(), Settings), new SessionHost(Settings, "node", new ReplicaId("10.0.0.1:4000#1"), _channel));
        var entity = _system.ActorOf(Props.Create(static (SessionSlot s) => new SessionEntity(s), slot), "entity");
        slot.Entity = entity;
        return entity;
    }

    private static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);

    /// <summary>Shard 3 under epoch 7 with one backup that must acknowledge; records what the entity sends.</summary>
    private sealed class FakeChannel : IReplicaChannel
    {
        public ConcurrentQueue<(NodeAddress To, object Message)> Sent { get; } = new();

        public ReplicationSettings Settings => ReplicationSettings.Default;

        public int ShardOf(UInt128 sessionId) => 3;

        public long Epoch { get; set; } = 7;

        public ReplicaTargets TargetsOf(int shard) => new(Epoch, ImmutableArray.Create(Backup), 1);

        private long _seq;

        public long NextSeq(int shard) => Interlocked.Increment(ref _seq);

        public void Send(NodeAddress to, object message) => Sent.Enqueue((to, message));

        public object NotReplicated(int shard) => $"not replicated in shard {shard}";
    }
}
