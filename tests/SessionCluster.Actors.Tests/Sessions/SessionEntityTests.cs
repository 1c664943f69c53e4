using System.Globalization;
using System.Text;
using SessionCluster.Actors.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using SessionCluster.Actors.Sessions;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Sessions;

/// <summary>Session entities on a single-node cluster (its shards all local), driven through <see cref="SessionClient"/>
/// with sessions on a manual clock.</summary>
public sealed class SessionEntityTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _clock = new();
    private readonly SessionNode _node;
    private readonly SessionClient _client;

    public SessionEntityTests()
    {
        var defaults = SessionClusterSettings.Default;
        var settings = defaults with { Sessions = defaults.Sessions with { MaxInactiveInterval = TimeSpan.FromMinutes(30) } };
        _node = new SessionNode(settings, "node-a", _clock, NullLoggerFactory.Instance);
        _client = _node.Client;
    }

    public Task InitializeAsync() => _node.StartAsync(default);

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private async Task<SessionSnapshot> Create() => Assert.IsType<SessionSnapshot>(await _client.Create(default));

    private Task<int> LiveSessions() => Task.FromResult(_node.LocalShards.SessionCount());

    [Fact]
    public async Task Create_ReturnsFreshSessionOwnedByThisNode()
    {
        var session = await Create();

        Assert.Equal("node-a", session.Owner);
        Assert.Equal(_clock.GetUtcNow(), session.Created);
        Assert.Equal(TimeSpan.FromMinutes(30), session.MaxInactiveInterval);
        Assert.Empty(session.Attributes);
    }

    [Fact]
    public async Task EveryCommand_AppliesAndReplies()
    {
        var id = (await Create()).Id;

        var set = Assert.IsType<SessionSnapshot>(await _client.Send(new SetAttribute(id, "a", Json("\"x\"")), default));
        Assert.Equal("\"x\"", Text(set.Attributes.Single(a => a.Key == "a").Value));

        var get = Assert.IsType<AttributeValue>(await _client.Send(new GetAttribute(id, "a"), default));
        Assert.Equal("\"x\"", Text(get.JsonValue));

        var increment = Assert.IsType<AttributeValue>(await _client.Send(new IncrementAttribute(id, "n", 7, IncrementAttribute.NewOperationId()), default));
        Assert.Equal("7", Text(increment.JsonValue));

        var rejected = Assert.IsType<SessionRejected>(await _client.Send(new IncrementAttribute(id, "a", 1, IncrementAttribute.NewOperationId()), default));
        Assert.Equal(SessionRejection.NotAnInteger, rejected.Reason);

        var removed = Assert.IsType<SessionSnapshot>(await _client.Send(new RemoveAttribute(id, "a"), default));
        Assert.Equal(["n"], removed.Attributes.Select(a => a.Key));

        var missing = Assert.IsType<AttributeValue>(await _client.Send(new GetAttribute(id, "a"), default));
        Assert.Null(missing.JsonValue);

        _clock.Advance(TimeSpan.FromMinutes(1));
        var touched = Assert.IsType<SessionSnapshot>(await _client.Send(new TouchSession(id), default));
        Assert.Equal(_clock.GetUtcNow(), touched.LastAccessed);

        Assert.IsType<SessionInvalidated>(await _client.Send(new InvalidateSession(id), default));
        Assert.IsType<SessionNotFound>(await _client.Send(new GetSession(id), default));
    }

    [Fact]
    public async Task Increment_ManyConcurrent_LosesNone()
    {
        var id = (await Create()).Id;

        await Task.WhenAll(Enumerable.Range(0, 500).Select(_ => _client.Send(new IncrementAttribute(id, "n", 1, IncrementAttribute.NewOperationId()), default)));

        var value = Assert.IsType<AttributeValue>(await _client.Send(new GetAttribute(id, "n"), default));
        Assert.Equal("500", Text(value.JsonValue));
    }

    [Fact]
    public async Task UnknownId_IsNotFoundAndNeverCreated()
    {
        var invented = SessionId.New();

        Assert.IsType<SessionNotFound>(await _client.Send(new SetAttribute(invented, "a", Json("1")), default));
        Assert.IsType<SessionNotFound>(await _client.Send(new GetSession(invented), default));
        Assert.Equal(0, await LiveSessions());
    }

    [Fact]
    public async Task SendOrCreate_UnknownId_UsesANewSession()
    {
        var invented = SessionId.New();

        var (reply, id, created) = await _client.SendOrCreate(invented, i => new SetAttribute(i, "a", Json("1")), default);

        Assert.True(created);
        Assert.NotEqual(invented, id);
        Assert.Equal(id, Assert.IsType<SessionSnapshot>(reply).Id);
    }

    [Fact]
    public async Task Idle_PastMaxInactiveInterval_ExpiresAndIsRemoved()
    {
        var id = (await Create()).Id;
        await Eventually.True(() => _clock.ActiveTimerCount == 1, "the region armed its expiry sweep");

        _clock.Advance(TimeSpan.FromMinutes(30));

        await Eventually.Value(
            LiveSessions,
            count => count == 0,
            "the expired session is removed from its region");
        Assert.IsType<SessionNotFound>(await _client.Send(new GetSession(id), default));
    }

    [Fact]
    public async Task Access_BeforeExpiry_PostponesIt()
    {
        var id = (await Create()).Id;
        await Eventually.True(() => _clock.ActiveTimerCount == 1, "the region armed its expiry sweep");

        _clock.Advance(TimeSpan.FromMinutes(20));
        Assert.IsType<SessionSnapshot>(await _client.Send(new GetSession(id), default));
        _clock.Advance(TimeSpan.FromMinutes(10));

        // The sweeps up to 30 min found the session accessed at 20 min and left it alone.
        Assert.IsType<SessionSnapshot>(await _client.Send(new GetSession(id), default));

        _clock.Advance(TimeSpan.FromMinutes(30));
        await Eventually.Value(
            LiveSessions,
            count => count == 0,
            "the session expires 30 minutes after its last access");
    }

    [Fact]
    public async Task Command_AtTheExpiryInstant_IsNotFound()
    {
        var id = (await Create()).Id;
        await Eventually.True(() => _clock.ActiveTimerCount == 1, "the region armed its expiry sweep");

        _clock.Advance(TimeSpan.FromMinutes(30));

        // Whether the sweep's check or this command reaches the entity first, the session is gone.
        Assert.IsType<SessionNotFound>(await _client.Send(new GetSession(id), default));
    }

    [Fact]
    public async Task Invalidated_IdNeverComesBack()
    {
        var id = (await Create()).Id;
        await _client.Send(new SetAttribute(id, "a", Json("1")), default);

        await _client.Send(new InvalidateSession(id), default);

        Assert.IsType<SessionNotFound>(await _client.Send(new GetSession(id), default));
        var (_, newId, created) = await _client.SendOrCreate(id, i => new GetSession(i), default);
        Assert.True(created);
        Assert.NotEqual(id, newId);
        await Eventually.Value(
            LiveSessions,
            count => count == 1,
            "only the new session is live");
    }

    [Fact]
    public async Task CommandsQueuedBehindInvalidate_AreAnsweredNotFound()
    {
        var id = (await Create()).Id;

        var replies = await Task.WhenAll(
            _client.Send(new InvalidateSession(id), default),
            _client.Send(new GetSession(id), default),
            _client.Send(new SetAttribute(id, "a", Json("1")), default));

        Assert.IsType<SessionInvalidated>(replies[0]);
        Assert.All(replies.Skip(1), reply => Assert.IsType<SessionNotFound>(reply));
    }

    [Fact]
    public async Task Idle_PastPassivateIdleAfter_EntityStopsButTheSessionStaysAndComesBack()
    {
        var id = (await Create()).Id;
        await _client.Send(new SetAttribute(id, "a", Json("\"kept\"")), default);
        Assert.True(_node.LocalShards.TryGetEntity(id, out _));
        await Eventually.True(() => _clock.ActiveTimerCount == 1, "the region armed its sweep");

        _clock.Advance(_node.Settings.Sharding.PassivateIdleAfter + _node.Settings.Sessions.ExpiryCheckInterval);

        await Eventually.True(() => !_node.LocalShards.TryGetEntity(id, out _), "the idle entity is passivated");
        Assert.Equal(1, await LiveSessions());
        var value = Assert.IsType<AttributeValue>(await _client.Send(new GetAttribute(id, "a"), default));
        Assert.Equal("\"kept\"", Text(value.JsonValue));
        Assert.True(_node.LocalShards.TryGetEntity(id, out _), "the next command started a new entity");
    }

    [Fact]
    public async Task Passivated_SessionStillExpires()
    {
        var id = (await Create()).Id;
        await Eventually.True(() => _clock.ActiveTimerCount == 1, "the region armed its sweep");
        _clock.Advance(_node.Settings.Sharding.PassivateIdleAfter + _node.Settings.Sessions.ExpiryCheckInterval);
        await Eventually.True(() => !_node.LocalShards.TryGetEntity(id, out _), "the idle entity is passivated");

        _clock.Advance(TimeSpan.FromMinutes(30));

        await Eventually.Value(LiveSessions, count => count == 0, "the passivated session expires and is removed");
        Assert.IsType<SessionNotFound>(await _client.Send(new GetSession(id), default));
    }

    [Fact]
    public async Task Increments_RacingWithPassivation_AreEachAppliedOnce()
    {
        // Every sweep passivates the entity while increments keep arriving: commands for an entity that is still
        // stopping must wait for it, or two entities would write the session at once and lose updates. The manual clock
        // runs about 2 s ahead per real millisecond, so requests wait on it for a day: a 5 s timeout fired whenever a
        // busy machine held a request for 3 ms (it failed this way about one run in two under load).
        var defaults = SessionClusterSettings.Default;
        var settings = defaults with
        {
            // Virtual time races ahead (2 s a loop below), and asks time out on it: an hour of it keeps a request that
            // waits a few real milliseconds on a busy machine from timing out, while a lost one still fails the test.
            Sessions = defaults.Sessions with { MaxInactiveInterval = TimeSpan.Zero, ExpiryCheckInterval = TimeSpan.FromSeconds(1), RequestTimeout = TimeSpan.FromHours(1) },
            Sharding = defaults.Sharding with { PassivateIdleAfter = TimeSpan.FromSeconds(1) },
        };
        var clock = new ManualTimeProvider();
        await using var node = new SessionNode(settings, "node-p", clock, NullLoggerFactory.Instance);
        await node.StartAsync(default);
        var id = Assert.IsType<SessionSnapshot>(await node.Client.Create(default)).Id;

        // The load runs until enough sweeps have passivated the entity under it (an Ask to an idle local entity is
        // answered on the asking thread, so a fixed number of increments can be over before the sweeps begin).
        using var enough = new CancellationTokenSource();
        var applied = 0;
        var work = Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!enough.IsCancellationRequested)
            {
                Assert.IsType<AttributeValue>(await node.Client.Send(new IncrementAttribute(id, "n", 1, IncrementAttribute.NewOperationId()), default));
                Interlocked.Increment(ref applied);
            }
        })));
        var passivations = 0;
        while (!work.IsCompleted && (passivations < Sweeps || Volatile.Read(ref applied) < MinimumIncrements))
        {
            clock.Advance(TimeSpan.FromSeconds(2));
            passivations++;
            await Task.Delay(1);
        }

        await enough.CancelAsync();
        await work;
        var value = Assert.IsType<AttributeValue>(await node.Client.Send(new GetAttribute(id, "n"), default));
        Assert.Equal(applied.ToString(CultureInfo.InvariantCulture), Text(value.JsonValue));
        Assert.True(passivations >= Sweeps, $"only {passivations} sweeps ran during the load");
    }

    private const int Sweeps = 20;
    private const int MinimumIncrements = 20000;

    private static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);
}
