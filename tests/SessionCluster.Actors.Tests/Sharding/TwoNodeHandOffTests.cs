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
        var ids = await CreateCountedSessions(first, 200);

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

    [Fact]
    public async Task A_worker_at_its_session_limit_takes_every_session_a_hand_off_brings_and_refuses_only_new_ones()
    {
        var first = await StartNode("a", seed: null);
        var ids = await CreateCountedSessions(first, 100);

        // The joiner may serve 5 sessions, yet half the shards move to it with about 50.
        var second = await StartNode("b", seed: first, maxActiveSessions: 5);
        await Eventually.True(
            () => Hosted(second) == 50 && Hosted(first) == 50 && Sessions(first) + Sessions(second) == 100 && Sessions(second) > 5,
            "half the shards, with all their sessions, moved to the joining worker despite its limit",
            Deadline);
        await AssertEveryCounter(second, ids);

        // New sessions: those whose shard lives on the joiner are refused, the others are created on the first node.
        var (refused, created) = (0, 0);
        for (var i = 0; i < 40; i++)
        {
            switch (await second.Client.Create(default))
            {
                case SessionSnapshot snapshot:
                    Assert.True(ServedBy(first, snapshot.Id), $"session {snapshot.Id} was created, but not on the first node");
                    created++;
                    break;
                case ShardUnavailable unavailable:
                    Assert.Contains("its limit of 5 sessions (sessions.max-active-sessions)", unavailable.Reason);
                    Assert.Contains(second.LocalShards.Counts(), count => count.Shard == unavailable.Shard && count.Serving);
                    refused++;
                    break;
                case var other:
                    Assert.Fail($"Unexpected reply to a creation: {other}");
                    break;
            }
        }

        Assert.True(refused > 0 && created > 0, $"{refused} refused and {created} created of 40: both nodes' shards should have been drawn");
        Assert.Equal(100 + created, Sessions(first) + Sessions(second));
        await AssertEveryCounter(second, ids);
    }

    private Task<SessionNode> StartNode(string route, SessionNode? seed, int maxActiveSessions = 0) =>
        _nodes.StartAsync(route, seed, settings => settings with
        {
            Sharding = settings.Sharding with { RebalanceAbsoluteLimit = 50, RebalanceRelativeLimit = 1 },
            Sessions = settings.Sessions with { MaxActiveSessions = maxActiveSessions },
        });

    /// <summary>Creates <paramref name="count"/> sessions on <paramref name="node"/>, the i-th (from 1) with counter n = i.</summary>
    private static async Task<List<SessionId>> CreateCountedSessions(SessionNode node, int count)
    {
        var ids = new List<SessionId>();
        for (var i = 1; i <= count; i++)
        {
            var created = await Eventually.Value(
                () => node.Client.Create(default), reply => reply is SessionSnapshot, "a session created on the first node", Deadline);
            var id = ((SessionSnapshot)created).Id;
            Assert.IsType<AttributeValue>(await node.Client.Send(new IncrementAttribute(id, "n", i, IncrementAttribute.NewOperationId()), default));
            ids.Add(id);
        }

        return ids;
    }

    private static bool ServedBy(SessionNode node, SessionId id) =>
        node.LocalShards.Counts().Any(count => count.Shard == ShardId.Of(id, node.LocalShards.NumberOfShards) && count.Serving);

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
