using System.Text;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>Rotating a session's id across two real nodes: the new id (usually on another shard, here on another node)
/// holds the same attributes, the old id is ended everywhere and never served again, its backup holds the tombstone.</summary>
public sealed class TwoNodeRotationTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly InProcessNodes _nodes = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    [Fact]
    public async Task A_rotated_session_keeps_its_attributes_under_a_new_id_on_another_node_and_the_old_id_is_ended()
    {
        Func<SessionClusterSettings, SessionClusterSettings> configure = s => s with { Sharding = s.Sharding with { RebalanceAbsoluteLimit = 50, RebalanceRelativeLimit = 1 } };
        var a = await _nodes.StartAsync("a", seed: null, configure);
        var b = await _nodes.StartAsync("b", a, configure);
        await Eventually.True(() => InProcessNodes.Serving(a) + InProcessNodes.Serving(b) == 100 && InProcessNodes.Serving(b) > 0, "the shards spread", Deadline);
        await Eventually.True(() => InProcessNodes.WholeCopies(a) == InProcessNodes.Serving(b) && InProcessNodes.WholeCopies(b) == InProcessNodes.Serving(a), "whole backups", Deadline);
        var id = ((SessionSnapshot)await Eventually.Value(() => a.Client.Create(default), r => r is SessionSnapshot, "a session", Deadline)).Id;
        Assert.IsType<SessionSnapshot>(await a.Client.Send(new SetAttribute(id, "user", Json("\"alice\"")), default));
        Assert.IsType<AttributeValue>(await a.Client.Send(new IncrementAttribute(id, "n", 5, 1), default));

        // Rotate until a rotation crosses nodes (each one has about even odds); every rotation must be right.
        var crossed = false;
        for (var rotation = 0; rotation < 30 && !crossed; rotation++)
        {
            var rotated = Assert.IsType<SessionSnapshot>(await a.Client.Rotate(id, default));
            Assert.NotEqual(id, rotated.Id);
            Assert.Equal(["n=5", "user=\"alice\""], Show(rotated.Attributes));
            crossed = Home(a, b, id) != Home(a, b, rotated.Id);

            foreach (var node in new[] { a, b })
            {
                Assert.IsType<SessionNotFound>(await node.Client.Send(new GetSession(id), default));
                Assert.Equal(["n=5", "user=\"alice\""], Show(Assert.IsType<SessionSnapshot>(await node.Client.Send(new GetSession(rotated.Id), default)).Attributes));
            }

            var (oldHome, oldBackup) = Home(a, b, id) == "a" ? (a, b) : (b, a);
            Assert.True(oldBackup.Replicas!.Find(ShardId.Of(id, 100), id.Value)?.IsEnded, "the old id's backup holds its end tombstone");
            var oldId = id;
            await Eventually.True(() => !oldHome.LocalShards[ShardId.Of(oldId, 100)]!.Sessions.TryGet(oldId, out _), "the old id's home drops it", Deadline);
            Assert.IsType<SessionNotFound>(await b.Client.Rotate(id, default));   // a rotated id cannot be rotated again
            id = rotated.Id;
        }

        Assert.True(crossed, "some rotation gave the session a new id homed on the other node");
        Assert.Equal(Json("6"), ((AttributeValue)await b.Client.Send(new IncrementAttribute(id, "n", 1, 2), default)).JsonValue);
    }

    private static string Home(SessionNode a, SessionNode b, SessionId id) =>
        a.LocalShards[ShardId.Of(id, 100)] is { Serving: true } ? "a" : b.LocalShards[ShardId.Of(id, 100)] is { Serving: true } ? "b" : "?";

    private static string[] Show(IEnumerable<KeyValuePair<string, byte[]>> attributes) =>
        [.. attributes.Select(a => $"{a.Key}={Encoding.UTF8.GetString(a.Value)}")];

    private static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);
}
