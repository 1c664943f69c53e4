using System.Text;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Runtime;
using SessionCluster.Actors.Sessions;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Sessions;

/// <summary>Session entities started directly on slots (no region), to see the replicated state they leave in the slot:
/// what two replicas' entities write merges, an end is a tombstone, and an entity started on a handed-over state
/// stamps after everything in it.</summary>
public sealed class SessionEntityStateTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly SessionId Id = new(new UInt128(0xe7, 0x17));
    private static readonly SessionSettings Settings = SessionClusterSettings.Default.Sessions with { MaxInactiveInterval = TimeSpan.FromMinutes(30) };

    private readonly ManualTimeProvider _clock = new();
    private readonly ActorSystem _system;
    private int _entities;

    public SessionEntityStateTests() => _system = new ActorSystem("entities", _clock);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _system.TerminateAsync();

    [Fact]
    public async Task Increments_ThroughEntitiesOnTwoReplicas_MergeToTheSum()
    {
        var start = SessionCommands.NewSession(Id, _clock.GetUtcNow(), Settings);
        var (onA, entityA) = Start(start, "10.0.0.1:4000#1");
        var (onB, entityB) = Start(start, "10.0.0.2:4000#2");

        for (var i = 0; i < 5; i++)
        {
            await entityA.Ask<AttributeValue>(new IncrementAttribute(Id, "n", 1, IncrementAttribute.NewOperationId()), Timeout);
            await entityB.Ask<AttributeValue>(new IncrementAttribute(Id, "n", 10, IncrementAttribute.NewOperationId()), Timeout);
        }

        Assert.Equal("5", Text(onA.State.Get("n")));
        Assert.Equal("50", Text(onB.State.Get("n")));
        Assert.Equal("55", Text(SessionCrdt.Merge(onA.State, onB.State).Get("n")));
    }

    [Fact]
    public async Task Increment_SentTwice_IsAnsweredTwiceWithTheSameValueAndCountedOnce()
    {
        var (slot, entity) = Start(SessionCommands.NewSession(Id, _clock.GetUtcNow(), Settings), "10.0.0.1:4000#1");
        var increment = new IncrementAttribute(Id, "n", 7, 0x1d);

        var first = await entity.Ask<AttributeValue>(increment, Timeout);
        var retry = await entity.Ask<AttributeValue>(increment, Timeout);

        Assert.Equal("7", Text(first.JsonValue));
        Assert.Equal("7", Text(retry.JsonValue));
        Assert.Equal("7", Text(slot.State.Get("n")));
        Assert.Equal([0x1dUL], slot.State.RecentIncrements.Entries.Select(applied => applied.OperationId));
    }

    [Fact]
    public async Task Increment_RetriedOnAnEntityStartedOnTheBackupsCopy_IsAnsweredWithTheFirstValueAndCountedOnce()
    {
        var start = SessionCommands.NewSession(Id, _clock.GetUtcNow(), Settings);
        var (home, homeEntity) = Start(start, "10.0.0.1:4000#1");
        var increment = new IncrementAttribute(Id, "n", 3, 0x2e);
        await homeEntity.Ask<AttributeValue>(new IncrementAttribute(Id, "n", 10, 0x1d), Timeout);
        await homeEntity.Ask<AttributeValue>(increment, Timeout);

        // The backup held what the home wrote; the home died before its reply left, and the backup was promoted.
        var (promoted, promotedEntity) = Start(SessionCrdt.Merge(start, home.State), "10.0.0.2:4000#2");
        var retry = await promotedEntity.Ask<AttributeValue>(increment, Timeout);
        var next = await promotedEntity.Ask<AttributeValue>(new IncrementAttribute(Id, "n", 1, 0x3f), Timeout);

        Assert.Equal("13", Text(retry.JsonValue));
        Assert.Equal("14", Text(next.JsonValue));
        Assert.Equal("14", Text(promoted.State.Get("n")));
    }

    [Fact]
    public async Task Invalidate_LeavesAnInvalidatedTombstoneInTheSlot_AndAnswersNotFoundAfter()
    {
        var (slot, entity) = Start(SessionCommands.NewSession(Id, _clock.GetUtcNow(), Settings), "10.0.0.1:4000#1");
        await entity.Ask<SessionSnapshot>(new SetAttribute(Id, "a", Json("1")), Timeout);

        Assert.Equal(new SessionInvalidated(Id), await entity.Ask<SessionInvalidated>(new InvalidateSession(Id), Timeout));

        Assert.Equal(SessionEndReason.Invalidated, slot.State.Ended!.Value);
        Assert.Equal(0, slot.State.AttributeCount);
        Assert.Equal(new SessionNotFound(Id), await entity.Ask<SessionNotFound>(new GetAttribute(Id, "a"), Timeout));
    }

    [Fact]
    public async Task ExpiryCheck_OnAnIdleSession_LeavesAnExpiredTombstone()
    {
        var (slot, entity) = Start(SessionCommands.NewSession(Id, _clock.GetUtcNow(), Settings), "10.0.0.1:4000#1");
        _clock.Advance(TimeSpan.FromMinutes(29));
        entity.Tell(CheckSessionExpiry.Instance);
        await entity.Ask<SessionSnapshot>(new TouchSession(Id), Timeout);
        Assert.False(slot.State.IsEnded);

        _clock.Advance(TimeSpan.FromMinutes(30));
        entity.Tell(CheckSessionExpiry.Instance);

        await Eventually.True(() => slot.State.IsEnded, "the entity ends the idle session");
        Assert.Equal(SessionEndReason.Expired, slot.State.Ended!.Value);
    }

    [Fact]
    public async Task Reads_OnlyMoveTheAccessTime()
    {
        var (slot, entity) = Start(SessionCommands.NewSession(Id, _clock.GetUtcNow(), Settings), "10.0.0.1:4000#1");
        await entity.Ask<SessionSnapshot>(new SetAttribute(Id, "a", Json("1")), Timeout);
        var written = slot.State;

        _clock.Advance(TimeSpan.FromMinutes(3));
        await entity.Ask<AttributeValue>(new GetAttribute(Id, "a"), Timeout);

        Assert.Equal(_clock.GetUtcNow(), slot.State.LastAccessed);
        Assert.Equal(written.Attributes, slot.State.Attributes);
        Assert.Equal(written.NewestTimestamp, slot.State.NewestTimestamp);
    }

    [Fact]
    public async Task EntityStartedOnAHandedOverState_StampsAfterItsNewestWrite()
    {
        // The old home's clock ran an hour ahead of this node's: its writes carry later wall times than this clock says.
        var oldHome = new ReplicaId("10.0.0.9:4000#9");
        var ahead = new HlcTimestamp(_clock.GetUtcNow().AddHours(1).UtcTicks, 7, oldHome);
        var handedOver = SessionCommands.NewSession(Id, _clock.GetUtcNow(), Settings).Set("a", Json("\"old\""), ahead).State;
        var (slot, entity) = Start(handedOver, "10.0.0.1:4000#1");

        var snapshot = await entity.Ask<SessionSnapshot>(new SetAttribute(Id, "a", Json("\"new\"")), Timeout);

        Assert.Equal("\"new\"", Text(snapshot.Attributes.Single().Value));
        var stamp = slot.State.Attributes.Find("a")!.BaseTimestamp;
        Assert.True(stamp > ahead, $"the new write {stamp} follows the handed-over {ahead}");
        Assert.Equal(new ReplicaId("10.0.0.1:4000#1"), stamp.Replica);
        // The old home's copy, merged with this one, keeps the new value too.
        Assert.Equal("\"new\"", Text(SessionCrdt.Merge(handedOver, slot.State).Get("a")));
    }

    private (SessionSlot Slot, ActorRef Entity) Start(SessionCrdt state, string replica)
    {
        var slot = new SessionSlot(state, new SessionHost(Settings, "node", new ReplicaId(replica)));
        var entity = _system.ActorOf(Props.Create(static (SessionSlot s) => new SessionEntity(s), slot), $"entity-{++_entities}");
        slot.Entity = entity;
        return (slot, entity);
    }

    private static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);
}
