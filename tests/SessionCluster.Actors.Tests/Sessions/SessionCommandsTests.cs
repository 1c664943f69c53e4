using System.Globalization;
using System.Text;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Runtime;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Actors.Tests.Sessions;

/// <summary>The session rules over the replicated state: limits, replies, which commands yield a delta and what a
/// backup that applies it holds, timestamps, ending.</summary>
public sealed class SessionCommandsTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly SessionId Id = new(new UInt128(0x5e55, 0x1d));
    private static readonly ReplicaId NodeA = new("10.0.0.1:4000#11");
    private static readonly ReplicaId NodeB = new("10.0.0.2:4000#22");

    private static readonly SessionSettings Limits = SessionClusterSettings.Default.Sessions with
    {
        MaxInactiveInterval = TimeSpan.FromMinutes(30),
        MaxValueBytes = 10,
        MaxAttributes = 2,
        MaxSessionBytes = 30,
        MaxNameLength = 5,
    };

    private static readonly SessionHost HostA = new(Limits, "node-a", NodeA);
    private static readonly SessionHost HostB = new(Limits, "node-b", NodeB);

    private SessionCrdt _state = SessionCommands.NewSession(Id, Start, Limits);
    private DateTimeOffset _now = Start;

    [Fact]
    public void Set_ThenGet_ReturnsValueAndCountsBytes()
    {
        Assert.IsType<SessionSnapshot>(Run(new SetAttribute(Id, "a", Json("123"))).Reply);

        Assert.Equal("123", Text(_state.Get("a")));
        Assert.Equal(1 + 3, _state.SizeInBytes);
    }

    [Fact]
    public void Set_Existing_ReplacesValueAndRecountsBytes()
    {
        Run(new SetAttribute(Id, "a", Json("123")));

        Assert.IsType<SessionSnapshot>(Run(new SetAttribute(Id, "a", Json("1"))).Reply);

        Assert.Equal("1", Text(_state.Get("a")));
        Assert.Equal(1, _state.AttributeCount);
        Assert.Equal(2, _state.SizeInBytes);
    }

    [Fact]
    public void Set_ValueOverLimit_RejectsAndChangesNothingButTheAccess()
    {
        _now = Start.AddMinutes(1);

        var update = Run(new SetAttribute(Id, "a", Json("\"123456789\"")));

        Assert.Equal(SessionRejection.ValueTooLarge, Assert.IsType<SessionRejected>(update.Reply).Reason);
        Assert.Equal("The value of 'a' is 11 bytes; the limit is 10.", ((SessionRejected)update.Reply).Message);
        Assert.Null(update.Delta);
        Assert.Equal(0, _state.AttributeCount);
        Assert.Equal(_now, _state.LastAccessed);
    }

    [Fact]
    public void Set_BeyondAttributeCount_Rejects()
    {
        Run(new SetAttribute(Id, "a", Json("1")));
        Run(new SetAttribute(Id, "b", Json("2")));

        var refused = Assert.IsType<SessionRejected>(Run(new SetAttribute(Id, "c", Json("3"))).Reply);
        Assert.Equal((SessionRejection.TooManyAttributes, "The session already holds 2 attributes; the limit is 2."), (refused.Reason, refused.Message));
        Assert.IsType<SessionSnapshot>(Run(new SetAttribute(Id, "b", Json("4"))).Reply);
        Assert.Null(_state.Get("c"));
    }

    [Fact]
    public void Set_BeyondSessionSize_RejectsAndKeepsOldValue()
    {
        var host = HostA with { Settings = Limits with { MaxSessionBytes = 12 } };
        Run(new SetAttribute(Id, "a", Json("12345")), host);

        var refused = Assert.IsType<SessionRejected>(Run(new SetAttribute(Id, "b", Json("123456")), host).Reply);

        Assert.Equal((SessionRejection.SessionTooLarge, "The session would hold 13 bytes; the limit is 12."), (refused.Reason, refused.Message));
        Assert.Null(_state.Get("b"));
        Assert.Equal(6, _state.SizeInBytes);
    }

    [Fact]
    public void Set_AfterARemove_CountsOnlyWhatIsVisible()
    {
        // A tombstone is no attribute: the limits see what a reader sees.
        Run(new SetAttribute(Id, "a", Json("1")));
        Run(new SetAttribute(Id, "b", Json("2")));
        Run(new RemoveAttribute(Id, "a"));

        Assert.IsType<SessionSnapshot>(Run(new SetAttribute(Id, "c", Json("3"))).Reply);
        Assert.Equal(["b", "c"], _state.VisibleAttributes().Select(a => a.Key));
        Assert.Equal(4, _state.SizeInBytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sixsix")]
    [InlineData("a\u0001")]
    public void Set_InvalidName_Rejects(string name) =>
        Assert.Equal(SessionRejection.InvalidName, Assert.IsType<SessionRejected>(Run(new SetAttribute(Id, name, Json("1"))).Reply).Reason);

    [Fact]
    public void Set_NameWithLoneSurrogate_Rejects()
    {
        // Built here rather than in [InlineData]: the test runner cannot carry lone surrogates through its data.
        foreach (var name in new[] { "a" + '\ud800', '\udc00' + "b", "a" + '\udc00' + '\ud800' })
        {
            Assert.Equal(SessionRejection.InvalidName, Assert.IsType<SessionRejected>(Run(new SetAttribute(Id, name, Json("1"))).Reply).Reason);
            Assert.Equal(SessionRejection.InvalidName, SessionCommands.ValidateName(name, Limits)!.Reason);
        }
    }

    [Theory]
    [InlineData("\ud83d\ude00")]
    [InlineData("é")]
    [InlineData("a b")]
    public void Set_PrintableName_Accepts(string name) => Assert.IsType<SessionSnapshot>(Run(new SetAttribute(Id, name, Json("1"))).Reply);

    [Fact]
    public void Remove_Existing_FreesItsBytesAndKeepsOthersInOrder()
    {
        Run(new SetAttribute(Id, "a", Json("1")));
        Run(new SetAttribute(Id, "b", Json("2")));

        Assert.NotNull(Run(new RemoveAttribute(Id, "a")).Delta);
        var again = Run(new RemoveAttribute(Id, "a"));

        Assert.Null(again.Delta);
        Assert.Equal(["b"], Assert.IsType<SessionSnapshot>(again.Reply).Attributes.Select(a => a.Key));
        Assert.Equal(2, _state.SizeInBytes);
    }

    [Fact]
    public void Remove_OfANameNeverSet_LeavesNoTombstoneAndNoDelta()
    {
        var update = Run(new RemoveAttribute(Id, "ghost"));

        Assert.Null(update.Delta);
        Assert.Empty(_state.Attributes.Entries);
    }

    [Fact]
    public void Increment_Missing_StartsAtZero()
    {
        Assert.Equal("5", Text(Assert.IsType<AttributeValue>(Run(Increment("n", 5)).Reply).JsonValue));
        Assert.Equal("3", Text(Assert.IsType<AttributeValue>(Run(Increment("n", -2)).Reply).JsonValue));
        Assert.Equal("3", Text(_state.Get("n")));
    }

    [Theory]
    [InlineData("\"5\"")]
    [InlineData("1.5")]
    [InlineData("1e3")]
    [InlineData("true")]
    [InlineData("[1]")]
    public void Increment_NonInteger_RejectsAndKeepsValue(string value)
    {
        Run(new SetAttribute(Id, "n", Json(value)), HostA with { Settings = Limits with { MaxValueBytes = 100 } });

        var update = Run(Increment("n", 1));

        var refused = Assert.IsType<SessionRejected>(update.Reply);
        Assert.Equal((SessionRejection.NotAnInteger, "Attribute 'n' is not an integer."), (refused.Reason, refused.Message));
        Assert.Null(update.Delta);
        Assert.Equal(value, Text(_state.Get("n")));
    }

    [Fact]
    public void Increment_Overflow_Rejects()
    {
        var host = HostA with { Settings = Limits with { MaxValueBytes = 100 } };
        Run(new SetAttribute(Id, "n", Json(long.MaxValue.ToString(CultureInfo.InvariantCulture))), host);

        var refused = Assert.IsType<SessionRejected>(Run(Increment("n", 1), host).Reply);

        Assert.Equal((SessionRejection.NotAnInteger, "Incrementing 'n' by 1 would overflow a 64-bit integer."), (refused.Reason, refused.Message));
        Assert.Equal(long.MaxValue.ToString(CultureInfo.InvariantCulture), Text(_state.Get("n")));
    }

    [Fact]
    public void Increment_PastTheValueOrSessionLimits_Rejects()
    {
        Run(Increment("n", 999_999_999));

        var tooLong = Assert.IsType<SessionRejected>(Run(Increment("n", 99_000_000_000)).Reply);
        var host = HostA with { Settings = Limits with { MaxSessionBytes = 12 } };
        var tooBig = Assert.IsType<SessionRejected>(Run(Increment("mm", 1), host).Reply);

        Assert.Equal((SessionRejection.ValueTooLarge, "The value of 'n' is 11 bytes; the limit is 10."), (tooLong.Reason, tooLong.Message));
        Assert.Equal((SessionRejection.SessionTooLarge, "The session would hold 13 bytes; the limit is 12."), (tooBig.Reason, tooBig.Message));
        Assert.Equal("999999999", Text(_state.Get("n")));
        Assert.Null(_state.Get("mm"));
        Assert.Single(_state.Attributes.Entries);
    }

    [Fact]
    public void Increment_OnTwoReplicas_MergesToTheSum()
    {
        Run(Increment("n", 2));
        var onA = _state;
        var onB = _state;
        for (var i = 0; i < 3; i++)
        {
            onA = SessionCommands.Apply(onA, Increment("n", 10), HostA, Start).State;
            onB = SessionCommands.Apply(onB, Increment("n", 100), HostB, Start).State;
        }

        Assert.Equal("32", Text(onA.Get("n")));
        Assert.Equal("302", Text(onB.Get("n")));
        Assert.Equal("332", Text(SessionCrdt.Merge(onA, onB).Get("n")));
        Assert.Equal(SessionCrdt.Merge(onA, onB), SessionCrdt.Merge(onB, onA));
    }

    [Fact]
    public void Increment_Retried_AnswersTheFirstReplyAndCountsOnce()
    {
        var increment = Increment("n", 5);
        var first = Run(increment);
        var backup = SessionCommands.NewSession(Id, Start, Limits).Apply(first.Delta!);
        _now = _now.AddSeconds(2);

        var retry = Run(increment);

        Assert.Equal("5", Text(Assert.IsType<AttributeValue>(first.Reply).JsonValue));
        Assert.Equal(("n", "5"), (Assert.IsType<AttributeValue>(retry.Reply).Name, Text(((AttributeValue)retry.Reply).JsonValue)));
        Assert.Equal("5", Text(_state.Get("n")));
        Assert.Equal(_now, _state.LastAccessed);
        // Like any write it yields a delta (the entry, the record and the access), so its reply waits for the backups.
        Assert.Equal(_state, backup.Apply(retry.Delta!));
    }

    [Fact]
    public void Increment_RetriedOnThePromotedBackup_AnswersTheFirstReplyAndCountsOnce()
    {
        // Node A is the home and B its backup, which merges A's deltas; A dies with the second reply, B is promoted.
        var increment = Increment("n", 5);
        var backup = SessionCommands.NewSession(Id, Start, Limits).Apply(Run(Increment("n", 1)).Delta!);
        var first = Run(increment);
        backup = backup.Apply(first.Delta!);

        var retry = SessionCommands.Apply(backup, increment, HostB, Start.AddSeconds(1));
        var next = SessionCommands.Apply(retry.State, Increment("n", 1), HostB, Start.AddSeconds(2));

        Assert.Equal("6", Text(Assert.IsType<AttributeValue>(first.Reply).JsonValue));
        Assert.Equal("6", Text(Assert.IsType<AttributeValue>(retry.Reply).JsonValue));
        Assert.Equal("7", Text(Assert.IsType<AttributeValue>(next.Reply).JsonValue));
    }

    [Fact]
    public void Increment_RetriedWhenItsAttributeCouldNoLongerBeAdded_IsStillAnswered()
    {
        var increment = Increment("n", 5);
        Run(increment);
        Run(new RemoveAttribute(Id, "n"));
        Run(new SetAttribute(Id, "a", Json("1")));
        Run(new SetAttribute(Id, "b", Json("2")));

        var retry = Run(increment);

        // Nothing is added, so no limit applies: the answer is the first one, and "n" stays removed.
        Assert.Equal("5", Text(Assert.IsType<AttributeValue>(retry.Reply).JsonValue));
        Assert.Null(_state.Get("n"));
        Assert.IsType<SessionRejected>(Run(Increment("n", 5)).Reply);
    }

    [Fact]
    public void Increment_RetriedAfterCapacityNewerIncrements_IsCountedAgain()
    {
        // Documented (RecentIncrements): only the newest Capacity increments are remembered.
        var increment = Increment("n", 5);
        Run(increment);
        for (var i = 0; i < RecentIncrements.Capacity; i++)
        {
            Run(Increment("n", 1));
        }

        var retry = Run(increment);

        Assert.Equal((5 + RecentIncrements.Capacity + 5).ToString(CultureInfo.InvariantCulture), Text(Assert.IsType<AttributeValue>(retry.Reply).JsonValue));
    }

    [Fact]
    public void Reads_MoveLastAccessedButYieldNoDelta()
    {
        Run(new SetAttribute(Id, "a", Json("1")));
        SessionCommand[] reads = [new GetSession(Id), new GetAttribute(Id, "a"), new TouchSession(Id), new GetAttribute(Id, "missing")];

        foreach (var read in reads)
        {
            _now = _now.AddMinutes(1);
            var before = _state;

            var update = Run(read);

            Assert.Null(update.Delta);
            Assert.Equal(_now, _state.LastAccessed);
            Assert.Equal(before.Attributes, _state.Attributes);
        }
    }

    [Fact]
    public void Writes_YieldADeltaThatMakesABackupCurrent_AccessTimeIncluded()
    {
        SessionCommand[] writes =
        [
            new SetAttribute(Id, "a", Json("1")), Increment("n", 4), new SetAttribute(Id, "a", Json("2")),
            new RemoveAttribute(Id, "a"), Increment("n", -1), new InvalidateSession(Id),
        ];
        var backup = _state;

        foreach (var write in writes)
        {
            Run(new GetSession(Id));
            _now = _now.AddSeconds(7);

            var update = Run(write);

            Assert.NotNull(update.Delta);
            backup = backup.Apply(update.Delta);
            Assert.Equal(_state, backup);
            Assert.Equal(_now, backup.LastAccessed);
        }
    }

    [Fact]
    public void Create_ShipsTheWholeStateAsItsDelta()
    {
        var update = Run(new CreateSession(Id));

        Assert.Equal(_state, update.Delta);
        Assert.Equal(Id, Assert.IsType<SessionSnapshot>(update.Reply).Id);
    }

    [Fact]
    public void Create_WithAFirstWrite_AppliesItInTheSameTurn_AndShipsTheWholeStateWithIt()
    {
        var set = Run(new CreateSession(Id, Then: new SetAttribute(Id, "a", Json("1"))));

        Assert.Equal("1", Text(Assert.IsType<SessionSnapshot>(set.Reply).Attributes.Single(pair => pair.Key == "a").Value));
        Assert.Equal(_state, set.Delta);
        Assert.Equal("1", Text(_state.Get("a")));
    }

    [Fact]
    public void Create_WithAFirstIncrement_Repeated_HereOrOnThePromotedBackup_CountsItOnce()
    {
        // A home that died before its answer arrived makes the region send the creation again: to the same home if it
        // was only slow, or to the backup promoted in its place, which holds the creation's delta.
        var increment = Increment("n", 5);
        var backup = SessionCommands.NewSession(Id, Start, Limits);

        var first = Run(new CreateSession(Id, Then: increment));
        backup = backup.Apply(first.Delta!);
        var repeatHere = Run(new CreateSession(Id, Then: increment));
        var repeatOnBackup = SessionCommands.Apply(backup, new CreateSession(Id, Then: increment), HostB, _now.AddSeconds(1));

        Assert.Equal("5", Text(Assert.IsType<AttributeValue>(first.Reply).JsonValue));
        Assert.Equal("5", Text(Assert.IsType<AttributeValue>(repeatHere.Reply).JsonValue));
        Assert.Equal("5", Text(_state.Get("n")));
        Assert.Equal("5", Text(Assert.IsType<AttributeValue>(repeatOnBackup.Reply).JsonValue));
        Assert.Equal("5", Text(repeatOnBackup.State.Get("n")));
    }

    [Fact]
    public void Create_WithAFirstWriteOverALimit_CreatesTheSessionAndRefusesTheWrite()
    {
        var update = Run(new CreateSession(Id, Then: new SetAttribute(Id, "a", Json("12345678901"))));

        Assert.IsType<SessionRejected>(update.Reply);
        Assert.Equal(_state, update.Delta);
        Assert.Equal(0, _state.AttributeCount);
        Assert.False(_state.IsEnded);
    }

    [Fact]
    public void Create_FollowedByAReadOrAnotherSessionsWrite_IsRefusedAndWritesNothing()
    {
        var other = new SessionId(new UInt128(1, 2));
        foreach (var then in new SessionCommand[] { new GetSession(Id), new InvalidateSession(Id), new CreateSession(Id), new SetAttribute(other, "a", Json("1")) })
        {
            var update = Run(new CreateSession(Id, Then: then));

            Assert.IsType<StatusFailure>(update.Reply);
            Assert.Equal(0, _state.AttributeCount);
            Assert.False(_state.IsEnded);
        }
    }

    [Fact]
    public void Invalidate_EndsTheSessionWithATombstoneDelta_ThenEveryCommandIsNotFound()
    {
        Run(new SetAttribute(Id, "a", Json("1")));

        var update = Run(new InvalidateSession(Id));

        Assert.Equal(new SessionInvalidated(Id), update.Reply);
        Assert.Equal(SessionEndReason.Invalidated, update.Delta!.Ended!.Value);
        Assert.Equal(0, update.Delta.AttributeCount);
        Assert.True(_state.IsEnded);
        Assert.Equal(0, _state.AttributeCount);
        var ended = _state;
        foreach (var command in new SessionCommand[] { new GetSession(Id), new SetAttribute(Id, "a", Json("2")), new InvalidateSession(Id) })
        {
            var after = Run(command);
            Assert.Equal(new SessionNotFound(Id), after.Reply);
            Assert.Null(after.Delta);
            Assert.Same(ended, _state);
        }
    }

    [Fact]
    public void Command_OnAnIdleSession_EndsItAsExpiredAndIsNotFound()
    {
        Run(new SetAttribute(Id, "a", Json("1")));
        _now = Start.AddMinutes(30);

        var update = Run(new GetSession(Id));

        Assert.Equal(new SessionNotFound(Id), update.Reply);
        Assert.Equal(SessionEndReason.Expired, _state.Ended!.Value);
        Assert.Equal(SessionEndReason.Expired, update.Delta!.Ended!.Value);
    }

    [Fact]
    public void Expire_OnlyOnceIdleForTheWholeInterval()
    {
        _now = Start.AddMinutes(20);
        Run(new TouchSession(Id));

        Assert.Null(SessionCommands.Expire(_state, HostA, Start.AddMinutes(49)));
        var expired = SessionCommands.Expire(_state, HostA, Start.AddMinutes(50));

        Assert.NotNull(expired);
        Assert.True(expired.Value.State.IsEnded);
        Assert.Null(SessionCommands.Expire(expired.Value.State, HostA, Start.AddMinutes(90)));
    }

    [Fact]
    public void NewSession_ZeroOrNegativeInterval_NeverExpires()
    {
        foreach (var interval in new[] { TimeSpan.Zero, TimeSpan.FromSeconds(-1) })
        {
            var state = SessionCommands.NewSession(Id, Start, Limits with { MaxInactiveInterval = interval });

            Assert.Equal(TimeSpan.Zero, state.MaxInactiveInterval);
            Assert.False(state.IsExpired(Start + TimeSpan.FromDays(3650)));
        }
    }

    [Fact]
    public void Write_OnAStateWrittenByAClockThatRanAhead_IsStampedAfterItAndWins()
    {
        // The state was handed over from a node an hour ahead; this node's clock says Start.
        var ahead = new HlcTimestamp(Start.AddHours(1).UtcTicks, 3, NodeB);
        _state = _state.Set("a", Json("1"), ahead).State;

        Run(new SetAttribute(Id, "a", Json("2")));
        Run(Increment("n", 1));

        var a = _state.Attributes.Find("a")!;
        Assert.Equal("2", Text(_state.Get("a")));
        Assert.Equal(new HlcTimestamp(ahead.WallTicks, 4, NodeA), a.BaseTimestamp);
        Assert.True(_state.Attributes.Find("n")!.LastWrite > a.BaseTimestamp);
    }

    [Fact]
    public void Writes_FollowingEachOtherAtOneInstant_GetIncreasingStamps()
    {
        Run(new SetAttribute(Id, "a", Json("1")));
        var first = _state.NewestTimestamp;
        Run(new SetAttribute(Id, "a", Json("2")));

        Assert.Equal(new HlcTimestamp(Start.UtcTicks, 0, NodeA), first);
        Assert.Equal(new HlcTimestamp(Start.UtcTicks, 1, NodeA), _state.NewestTimestamp);
    }

    [Fact]
    public void Snapshot_ListsAttributesInOrdinalNameOrder_AndIsNotChangedByLaterWrites()
    {
        Run(new SetAttribute(Id, "z", Json("1")));
        Run(new SetAttribute(Id, "a", Json("2")));
        var snapshot = Assert.IsType<SessionSnapshot>(Run(new GetSession(Id)).Reply);

        Run(new SetAttribute(Id, "a", Json("3")));
        Run(new RemoveAttribute(Id, "z"));

        Assert.Equal("node-a", snapshot.Owner);
        Assert.Equal(["a", "z"], snapshot.Attributes.Select(a => a.Key));
        Assert.Equal(["2", "1"], snapshot.Attributes.Select(a => Text(a.Value)));
    }

    /// <summary>A new increment operation, as a request entering the cluster mints it.</summary>
    private static IncrementAttribute Increment(string name, long by) => new(Id, name, by, IncrementAttribute.NewOperationId());

    private SessionUpdate Run(SessionCommand command, SessionHost? host = null)
    {
        var update = SessionCommands.Apply(_state, command, host ?? HostA, _now);
        _state = update.State;
        return update;
    }

    private static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);
}
