using System.Text;
using SessionCluster.Actors.Hosting;
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
