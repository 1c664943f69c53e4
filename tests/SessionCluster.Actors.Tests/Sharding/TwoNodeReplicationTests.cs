using System.Text;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>Two real nodes in this process over TCP on loopback, replication factor 2: each node keeps a whole copy of
/// the other's shards, every acknowledged write is in the copy, and a copy that lost its sessions is repaired by
/// anti-entropy.</summary>
public sealed class TwoNodeReplicationTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly InProcessNodes _nodes = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    [Fact]
    public async Task Each_node_backs_up_the_others_shards_with_every_acknowledged_write_and_anti_entropy_repairs_a_wiped_copy()
    {
        var a = await StartNode("a", seed: null);
        var b = await StartNode("b", seed: a);
        await Eventually.True(() => Serving(a) + Serving(b) == 100 && Serving(b) > 0, "the shards spread over both nodes", Deadline);
        await Eventually.True(() => Whole(a) == Serving(b) && Whole(b) == Serving(a), "each node holding a whole copy of the other's shards", Deadline);

        var ids = new List<SessionId>();
        for (var i = 1; i <= 100; i++)
        {
            var id = ((SessionSnapshot)await Eventually.Value(() => a.Client.Create(default), reply => reply is SessionSnapshot, "a session created", Deadline)).Id;
            Assert.IsType<AttributeValue>(await a.Client.Send(new IncrementAttribute(id, "n", i, (ulong)i), default));
            ids.Add(id);
        }

        // Write consistency "one": an answered increment is already in the backup's copy.
        for (var i = 0; i < ids.Count; i++)
        {
            var (home, backup) = HomeAndBackup(ids[i], a, b);
            Assert.Equal(Value(i + 1), backup.Replicas!.Find(Shard(ids[i]), ids[i].Value)?.Get("n"));
            Assert.Equal(Value(i + 1), ((AttributeValue)await home.Client.Send(new GetAttribute(ids[i], "n"), default)).JsonValue);
        }

        // Wipe every copy b keeps (as a backup restarted empty would be); the next anti-entropy round repairs it.
        var wiped = new List<int>();
        for (var shard = 0; shard < 100; shard++)
        {
            if (a.Replicas!.TargetsOf(shard) is { Backups.IsEmpty: false } targets && b.LocalShards[shard] is null)
            {
                b.Replicas!.Take(shard);
                b.Replicas.Keep(shard, a.Cluster.Self.Address, targets.Epoch);
                wiped.Add(shard);
            }
        }

        Assert.NotEmpty(wiped);

        await Eventually.True(
            () => ids.Where(id => wiped.Contains(Shard(id))).All(id => b.Replicas!.Find(Shard(id), id.Value)?.Get("n") is not null),
            "every wiped session back in b's copies after an anti-entropy round",
            Deadline);
        for (var i = 0; i < ids.Count; i++)
        {
            if (wiped.Contains(Shard(ids[i])))
            {
                Assert.Equal(Value(i + 1), b.Replicas!.Find(Shard(ids[i]), ids[i].Value)!.Get("n"));
            }
        }
    }

    [Fact]
    public async Task An_invalidation_is_answered_once_the_backup_holds_the_end_tombstone()
    {
        var a = await StartNode("a", seed: null);
        var b = await StartNode("b", seed: a);
        await Eventually.True(() => Serving(a) + Serving(b) == 100 && Serving(b) > 0, "the shards spread over both nodes", Deadline);
        await Eventually.True(() => Whole(a) == Serving(b) && Whole(b) == Serving(a), "each node holding a whole copy of the other's shards", Deadline);
        var id = ((SessionSnapshot)await Eventually.Value(() => a.Client.Create(default), reply => reply is SessionSnapshot, "a session created", Deadline)).Id;

        Assert.Equal(new SessionInvalidated(id), await a.Client.Send(new InvalidateSession(id), default));

        var (_, backup) = HomeAndBackup(id, a, b);
        Assert.True(backup.Replicas!.Find(Shard(id), id.Value)?.IsEnded, "the backup holds the end tombstone");
        Assert.IsType<SessionNotFound>(await a.Client.Send(new GetSession(id), default));
    }

    [Fact]
    public async Task A_write_only_the_backup_holds_reaches_the_home_through_anti_entropy_and_is_replicated_like_its_own()
    {
        var a = await StartNode("a", seed: null);
        var b = await StartNode("b", seed: a);
        await Eventually.True(() => Serving(a) + Serving(b) == 100 && Serving(b) > 0, "the shards spread over both nodes", Deadline);
        await Eventually.True(() => Whole(a) == Serving(b) && Whole(b) == Serving(a), "each node holding a whole copy of the other's shards", Deadline);
        var id = ((SessionSnapshot)await Eventually.Value(() => a.Client.Create(default), reply => reply is SessionSnapshot, "a session created", Deadline)).Id;
        Assert.IsType<AttributeValue>(await a.Client.Send(new IncrementAttribute(id, "n", 1, 1), default));
        var (home, backup) = HomeAndBackup(id, a, b);
        var shard = Shard(id);

        // An increment and a write that a former home applied and had acknowledged by this backup alone (with three
        // copies and write-consistency "one", the promoted backup may lack them): only the backup's copy holds them.
        var formerHome = new ReplicaId("former-home:1#1");
        var stamp = _nodes.Clock.GetUtcNow().UtcTicks + 1;
        var held = backup.Replicas!.Find(shard, id.Value)!;
        var incremented = held.Increment("n", 5, 77, formerHome, new HlcTimestamp(stamp, 0, formerHome));
        var written = incremented.State.Set("x", "\"kept\""u8.ToArray(), new HlcTimestamp(stamp, 1, formerHome));
        var delta = SessionCrdt.Merge(incremented.Delta, written.Delta);
        backup.Replicas.OnDelta(home.Cluster.Self, new ReplicaDelta(shard, home.Replicas!.TargetsOf(shard).Epoch, 0, 0, delta));

        // The next anti-entropy round finds the session differing; the home pulls the backup's state and merges it.
        await Eventually.True(
            async () => await home.Client.Send(new GetAttribute(id, "n"), default) is AttributeValue { JsonValue: { } value } && Encoding.UTF8.GetString(value) == "6",
            "the home's counter holding the backup's increment",
            Deadline);
        Assert.Equal("\"kept\"", Encoding.UTF8.GetString(((AttributeValue)await home.Client.Send(new GetAttribute(id, "x"), default)).JsonValue!));

        // Merged, not double-counted: a further increment counts once on both sides.
        Assert.Equal("7", Encoding.UTF8.GetString(((AttributeValue)await home.Client.Send(new IncrementAttribute(id, "n", 1, 2), default)).JsonValue!));
        Assert.Equal("7", Encoding.UTF8.GetString(backup.Replicas.Find(shard, id.Value)!.Get("n")!));
    }

    private static int Shard(SessionId id) => ShardId.Of(id, 100);

    private static (SessionNode Home, SessionNode Backup) HomeAndBackup(SessionId id, SessionNode a, SessionNode b) =>
        a.LocalShards[Shard(id)] is { Serving: true } ? (a, b) : (b, a);

    private static byte[] Value(int n) => Encoding.UTF8.GetBytes(n.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static int Serving(SessionNode node) => InProcessNodes.Serving(node);

    private static int Whole(SessionNode node) => InProcessNodes.WholeCopies(node);

    private Task<SessionNode> StartNode(string route, SessionNode? seed) =>
        _nodes.StartAsync(route, seed, settings => settings with
        {
            Sharding = settings.Sharding with { RebalanceAbsoluteLimit = 50, RebalanceRelativeLimit = 1 },
            // Rounds run on the cluster's (real) clock: short, so that the repair comes within the test's deadline.
            Replication = settings.Replication with { AntiEntropyInterval = TimeSpan.FromMilliseconds(300) },
        });
}
