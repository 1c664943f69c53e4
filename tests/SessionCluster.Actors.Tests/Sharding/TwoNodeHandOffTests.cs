using System.Text;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>Two real nodes in this process over TCP on loopback: shards move to a joining worker and back to the first
/// when the second drains, carrying every session with its attributes and its expiry clock.</summary>
public sealed class TwoNodeHandOffTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly InProcessNodes _nodes = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    [Fact]
    public async Task Shards_move_to_a_joining_worker_and_back_when_it_drains_with_every_session_and_its_expiry()
    {
        var first = await StartNode("a", seed: null);
        var ids = new List<SessionId>();
        for (var i = 1; i <= 200; i++)
        {
            var created = await Eventually.Value(
                () => first.Client.Create(default), reply => reply is SessionSnapshot, "a session created on the first node", Deadline);
            var id = ((SessionSnapshot)created).Id;
            Assert.IsType<AttributeValue>(await first.Client.Send(new IncrementAttribute(id, "n", i, IncrementAttribute.NewOperationId()), default));
            ids.Add(id);
        }

        var second = await StartNode("b", seed: first);
        await Eventually.True(
            () => Hosted(second) == 50 && Hosted(first) == 50 && Sessions(first) + Sessions(second) == 200 && Sessions(second) > 0,
            "half the shards, with their sessions, moved to the joining worker",
            Deadline);

        await AssertEveryCounter(second, ids);
        await AssertEveryCounter(first, ids);

        await second.DrainAsync(default);
        Assert.Equal(100, Hosted(first));
        Assert.Equal(200, Sessions(first));
        await AssertEveryCounter(first, ids);

        // Expiry kept running across both moves: 30 minutes after their last access every session is gone.
        await Eventually.True(() => _nodes.Clock.ActiveTimerCount >= 1, "sweeps armed");
        _nodes.Clock.Advance(TimeSpan.FromMinutes(31));
        await Eventually.True(() => Sessions(first) == 0, "every session expired on its current home", Deadline);
        Assert.IsType<SessionNotFound>(await first.Client.Send(new GetSession(ids[0]), default));
    }

    private Task<SessionNode> StartNode(string route, SessionNode? seed) =>
        _nodes.StartAsync(route, seed, settings => settings with
        {
            Sharding = settings.Sharding with { RebalanceAbsoluteLimit = 50, RebalanceRelativeLimit = 1 },
        });

    private static int Hosted(SessionNode node) => InProcessNodes.Serving(node);

    private static int Sessions(SessionNode node) => InProcessNodes.Sessions(node);

    private static async Task AssertEveryCounter(SessionNode through, List<SessionId> ids)
    {
        for (var i = 0; i < ids.Count; i++)
        {
            var value = Assert.IsType<AttributeValue>(await through.Client.Send(new GetAttribute(ids[i], "n"), default));
            Assert.Equal((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), Encoding.UTF8.GetString(value.JsonValue!));
        }
    }
}
