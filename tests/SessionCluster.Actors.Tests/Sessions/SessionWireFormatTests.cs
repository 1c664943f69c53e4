using System.Text;
using Google.Protobuf;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Sessions;
using Wire = SessionCluster.Actors.Sessions.Wire;

namespace SessionCluster.Actors.Tests.Sessions;

/// <summary>The session wire format: every command and reply survives the trip through bytes exactly, and malformed
/// input is rejected with an error that names the field.</summary>
public sealed class SessionWireFormatTests
{
    private static readonly SessionId Id = new(new UInt128(0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210));
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // Names and values a byte-for-byte comparison would catch mangling: non-ASCII, astral-plane, escapes kept as sent.
    private const string UnicodeName = "ünïcødé ☃ \ud83d\ude00";
    private static readonly byte[] UnicodeJson = Encoding.UTF8.GetBytes("{\"a\":[1,2.5,null],\"b\":\"héllo \\u0000 \ud83d\ude00\"}");

    public static TheoryData<string> Ids() => ["0", "1", "max", "mixed"];

    [Theory]
    [MemberData(nameof(Ids))]
    public void RoundTrip_CommandsWithoutArguments_KeepTheirTypeAndId(string which)
    {
        var id = IdFor(which);
        SessionCommand[] commands = [new GetSession(id), new InvalidateSession(id), new TouchSession(id), new CreateSession(id)];

        foreach (var command in commands)
        {
            Assert.Equal(command, RoundTrip(command));
        }
    }

    [Fact]
    public void RoundTrip_CreateSessionWithAFirstWrite_KeepsTheWriteAndTheInterval()
    {
        var increment = new IncrementAttribute(Id, "n", -3, 42);
        Assert.Equal(new CreateSession(Id, TimeSpan.FromMinutes(20), increment), RoundTrip(new CreateSession(Id, TimeSpan.FromMinutes(20), increment)));
        Assert.Equal(new CreateSession(Id, null, new RemoveAttribute(Id, "a")), RoundTrip(new CreateSession(Id, null, new RemoveAttribute(Id, "a"))));

        var set = Assert.IsType<SetAttribute>(Assert.IsType<CreateSession>(RoundTrip(new CreateSession(Id, Then: new SetAttribute(Id, UnicodeName, UnicodeJson)))).Then);
        Assert.Equal(UnicodeName, set.Name);
        Assert.Equal(UnicodeJson, set.JsonValue);

        var batch = Assert.IsType<ApplyAttributeChanges>(Assert.IsType<CreateSession>(
            RoundTrip(new CreateSession(Id, TimeSpan.Zero, new ApplyAttributeChanges(Id, [new("a", "1"u8.ToArray()), new("b", null)])))).Then);
        Assert.Equal(["a", "b"], batch.Changes.Select(change => change.Name));

        // A plain creation stays the old message, which every node knows.
        Assert.Equal(Wire.SessionCommand.CommandOneofCase.CreateSession, SessionWireFormat.ToWire(new CreateSession(Id)).CommandCase);
    }

    [Fact]
    public void CreateSessionWithAFirstWrite_ThatIsNoWriteOfTheSameSession_IsNeitherSentNorAccepted()
    {
        var other = new SessionId(new UInt128(9, 9));
        Assert.Throws<ArgumentException>(() => SessionWireFormat.ToWire(new CreateSession(Id, Then: new GetSession(Id))));
        Assert.Throws<ArgumentException>(() => SessionWireFormat.ToWire(new CreateSession(Id, Then: new SetAttribute(other, "a", "1"u8.ToArray()))));

        var withRead = SessionWireFormat.ToWire(new CreateSession(Id, Then: new RemoveAttribute(Id, "a")));
        withRead.CreateSessionWithWrite.Then = SessionWireFormat.ToWire(new GetSession(Id));
        AssertMalformed(() => SessionWireFormat.FromWire(withRead), "SessionCommand.create_session_with_write.then is a GetSession; only a set, remove, increment or attribute batch may follow a creation");

        var nested = SessionWireFormat.ToWire(new CreateSession(Id, Then: new RemoveAttribute(Id, "a")));
        nested.CreateSessionWithWrite.Then = SessionWireFormat.ToWire(new CreateSession(Id, Then: new RemoveAttribute(Id, "a")));
        AssertMalformed(() => SessionWireFormat.FromWire(nested), "SessionCommand.create_session_with_write.then is a CreateSession");

        var elsewhere = SessionWireFormat.ToWire(new CreateSession(Id, Then: new RemoveAttribute(Id, "a")));
        elsewhere.CreateSessionWithWrite.Then = SessionWireFormat.ToWire(new RemoveAttribute(other, "a"));
        AssertMalformed(() => SessionWireFormat.FromWire(elsewhere), $"SessionCommand.create_session_with_write.then names session {other}, not the one created ({Id})");

        var missing = SessionWireFormat.ToWire(new CreateSession(Id, Then: new RemoveAttribute(Id, "a")));
        missing.CreateSessionWithWrite.Then = null;
        AssertMalformed(() => SessionWireFormat.FromWire(missing), "SessionCommand.create_session_with_write.then is missing");

        var badWrite = SessionWireFormat.ToWire(new CreateSession(Id, Then: new RemoveAttribute(Id, "a")));
        badWrite.CreateSessionWithWrite.Then.RemoveAttribute.Name = string.Empty;
        AssertMalformed(() => SessionWireFormat.FromWire(badWrite), "SessionCommand.create_session_with_write.then.remove_attribute.name is missing");
    }

    [Theory]
    [InlineData("a")]
    [InlineData(UnicodeName)]
    public void RoundTrip_GetAndRemoveAttribute_KeepTheName(string name)
    {
        Assert.Equal(new GetAttribute(Id, name), RoundTrip(new GetAttribute(Id, name)));
        Assert.Equal(new RemoveAttribute(Id, name), RoundTrip(new RemoveAttribute(Id, name)));
    }

    [Fact]
    public void RoundTrip_SetAttribute_KeepsTheJsonByteForByte()
    {
        foreach (var json in new[] { UnicodeJson, "1"u8.ToArray(), "\"\""u8.ToArray() })
        {
            var decoded = Assert.IsType<SetAttribute>(RoundTrip(new SetAttribute(Id, UnicodeName, json)));

            Assert.Equal(Id, decoded.SessionId);
            Assert.Equal(UnicodeName, decoded.Name);
            Assert.Equal(json, decoded.JsonValue);
        }
    }

    [Theory]
    [InlineData(long.MinValue, 0UL)]
    [InlineData(-1L, 1UL)]
    [InlineData(0L, 0x8000_0000_0000_0000UL)]
    [InlineData(1L, 0xfedc_ba98_7654_3210UL)]
    [InlineData(long.MaxValue, ulong.MaxValue)]
    public void RoundTrip_IncrementAttribute_KeepsTheStepAndTheOperationId(long by, ulong operationId) =>
        Assert.Equal(new IncrementAttribute(Id, "n", by, operationId), RoundTrip(new IncrementAttribute(Id, "n", by, operationId)));

    [Fact]
    public void ToWire_OperationId_TakesEightBytesWhateverItsValue()
    {
        var small = SessionWireFormat.ToWire(new IncrementAttribute(Id, "n", 1, 0)).CalculateSize();
        var large = SessionWireFormat.ToWire(new IncrementAttribute(Id, "n", 1, ulong.MaxValue)).CalculateSize();

        Assert.Equal(small, large);
        Assert.Equal(9, small - Command(new IncrementAttribute(Id, "n", 1, 0), c => c.IncrementAttribute.ClearOperationId()).CalculateSize());
    }

    [Fact]
    public void ToWire_SessionId_IsItsTextFormAsBigEndianBytes()
    {
        var wire = SessionWireFormat.ToWire(new GetSession(Id));

        Assert.Equal(Id.ToString(), Convert.ToHexStringLower(wire.SessionId.ToByteArray()));
    }

    [Fact]
    public void RoundTrip_Snapshot_KeepsEveryFieldAndAttributeOrder()
    {
        var snapshot = new SessionSnapshot(
            Id, "node-a", T0.AddTicks(1), T0.AddTicks(12_345_678_901), TimeSpan.FromTicks(18_000_000_001),
            [new("z", "1"u8.ToArray()), new(UnicodeName, UnicodeJson), new("a", "[]"u8.ToArray())]);

        AssertSnapshotEqual(snapshot, Assert.IsType<SessionSnapshot>(RoundTripReply(snapshot)));
    }

    [Fact]
    public void RoundTrip_SnapshotWithNoAttributesAndNoExpiry_IsEqual()
    {
        var snapshot = new SessionSnapshot(Id, "n", T0, T0, TimeSpan.Zero, []);

        AssertSnapshotEqual(snapshot, Assert.IsType<SessionSnapshot>(RoundTripReply(snapshot)));
    }

    [Fact]
    public void RoundTrip_AttributeValue_KeepsTheJsonOrItsAbsence()
    {
        var present = Assert.IsType<AttributeValue>(RoundTripReply(new AttributeValue(UnicodeName, UnicodeJson)));
        var absent = Assert.IsType<AttributeValue>(RoundTripReply(new AttributeValue("gone", null)));

        Assert.Equal(UnicodeName, present.Name);
        Assert.Equal(UnicodeJson, present.JsonValue);
        Assert.Equal(new AttributeValue("gone", null), absent);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void RoundTrip_NotFoundAndInvalidated_KeepTheId(string which)
    {
        var id = IdFor(which);

        Assert.Equal(new SessionNotFound(id), RoundTripReply(new SessionNotFound(id)));
        Assert.Equal(new SessionInvalidated(id), RoundTripReply(new SessionInvalidated(id)));
    }

    [Fact]
    public void RoundTrip_Rejected_KeepsEveryReasonAndTheMessage()
    {
        foreach (var reason in Enum.GetValues<SessionRejection>())
        {
            Assert.Equal(new SessionRejected(reason, "limit ☃"), RoundTripReply(new SessionRejected(reason, "limit ☃")));
        }

        Assert.Equal(new SessionRejected(SessionRejection.NotAnInteger, string.Empty), RoundTripReply(new SessionRejected(SessionRejection.NotAnInteger, string.Empty)));
    }

    [Fact]
    public void FromWire_InsideAnEnvelope_NamesTheWholePath()
    {
        var command = SessionWireFormat.ToWire(new GetSession(Id));
        command.SessionId = ByteString.Empty;

        AssertMalformed(() => SessionWireFormat.FromWire(command, "DeliverCommand.command"), "DeliverCommand.command.session_id is missing");
        AssertMalformed(() => SessionWireFormat.FromWire(null, "DeliverCommand.command"), "DeliverCommand.command is missing");
        AssertMalformed(() => SessionWireFormat.ReplyFromWire(null, "CommandReply.reply"), "CommandReply.reply is missing");
        AssertMalformed(() => SessionCrdtWireFormat.FromWire(null, "HandOff.sessions[3]"), "HandOff.sessions[3] is missing");
    }

    private static readonly Dictionary<string, (Func<Wire.SessionCommand> Build, string Expected)> MalformedCommands = new()
    {
        ["missing id"] = (() => Command(new GetSession(Id), c => c.SessionId = ByteString.Empty), "SessionCommand.session_id is missing"),
        ["15-byte id"] = (() => Command(new GetSession(Id), c => c.SessionId = ByteString.CopyFrom(new byte[15])), "SessionCommand.session_id is 15 bytes; a session id is 16"),
        ["17-byte id"] = (() => Command(new TouchSession(Id), c => c.SessionId = ByteString.CopyFrom(new byte[17])), "SessionCommand.session_id is 17 bytes; a session id is 16"),
        ["empty oneof"] = (() => Command(new GetSession(Id), c => c.ClearCommand()), "SessionCommand.command is missing"),
        ["get: empty name"] = (() => Command(new GetAttribute(Id, "a"), c => c.GetAttribute.Name = string.Empty), "SessionCommand.get_attribute.name is missing"),
        ["set: empty name"] = (() => Command(new SetAttribute(Id, "a", "1"u8.ToArray()), c => c.SetAttribute.Name = string.Empty), "SessionCommand.set_attribute.name is missing"),
        ["set: empty json"] = (() => Command(new SetAttribute(Id, "a", "1"u8.ToArray()), c => c.SetAttribute.JsonValue = ByteString.Empty), "SessionCommand.set_attribute.json_value is empty"),
        ["remove: empty name"] = (() => Command(new RemoveAttribute(Id, "a"), c => c.RemoveAttribute.Name = string.Empty), "SessionCommand.remove_attribute.name is missing"),
        ["increment: empty name"] = (() => Command(new IncrementAttribute(Id, "a", 1, 7), c => c.IncrementAttribute.Name = string.Empty), "SessionCommand.increment_attribute.name is missing"),
        ["increment: missing step"] = (() => Command(new IncrementAttribute(Id, "a", 0, 7), c => c.IncrementAttribute.ClearBy()), "SessionCommand.increment_attribute.by is missing"),
        ["increment: missing operation id"] = (() => Command(new IncrementAttribute(Id, "a", 1, 0), c => c.IncrementAttribute.ClearOperationId()), "SessionCommand.increment_attribute.operation_id is missing"),
    };

    public static TheoryData<string> MalformedCommandCases() => [.. MalformedCommands.Keys];

    [Theory]
    [MemberData(nameof(MalformedCommandCases))]
    public void FromWire_MalformedCommand_ThrowsNamingTheField(string name)
    {
        var (build, expected) = MalformedCommands[name];
        var bytes = build().ToByteArray();

        AssertMalformed(() => SessionWireFormat.FromWire(Wire.SessionCommand.Parser.ParseFrom(bytes)), expected);
    }

    private static readonly Dictionary<string, (Func<Wire.SessionReply> Build, string Expected)> MalformedReplies = new()
    {
        ["empty oneof"] = (() => new Wire.SessionReply(), "SessionReply.reply is missing"),
        ["not found: missing id"] = (() => Reply(new SessionNotFound(Id), r => r.NotFound.SessionId = ByteString.Empty), "SessionReply.not_found.session_id is missing"),
        ["not found: 8-byte id"] = (() => Reply(new SessionNotFound(Id), r => r.NotFound.SessionId = ByteString.CopyFrom(new byte[8])), "SessionReply.not_found.session_id is 8 bytes"),
        ["invalidated: missing id"] = (() => Reply(new SessionInvalidated(Id), r => r.Invalidated.SessionId = ByteString.Empty), "SessionReply.invalidated.session_id is missing"),
        ["rejected: unknown reason"] = (() => Reply(new SessionRejected(SessionRejection.InvalidName, "m"), r => r.Rejected.Reason = (Wire.SessionRejection)42), "SessionReply.rejected.reason is 42, not a known rejection reason"),
        ["rejected: missing reason"] = (() => Reply(new SessionRejected(SessionRejection.InvalidName, "m"), r => r.Rejected.Reason = Wire.SessionRejection.Unspecified), "SessionReply.rejected.reason is missing"),
        ["value: empty name"] = (() => Reply(new AttributeValue("a", null), r => r.AttributeValue.Name = string.Empty), "SessionReply.attribute_value.name is missing"),
        ["value: present but empty json"] = (() => Reply(new AttributeValue("a", null), r => r.AttributeValue.JsonValue = ByteString.Empty), "SessionReply.attribute_value.json_value is empty"),
        ["snapshot: missing owner"] = (() => Reply(Snapshot(), r => r.Snapshot.Owner = string.Empty), "SessionReply.snapshot.owner is missing"),
        ["snapshot: missing state"] = (() => Reply(Snapshot(), r => r.Snapshot.State = null), "SessionReply.snapshot.state is missing"),
        ["snapshot: bad state"] = (() => Reply(Snapshot(), r => r.Snapshot.State.Attributes[1].Name = "a"), "SessionReply.snapshot.state.attributes[1].name repeats the attribute 'a'"),
    };

    public static TheoryData<string> MalformedReplyCases() => [.. MalformedReplies.Keys];

    [Theory]
    [MemberData(nameof(MalformedReplyCases))]
    public void ReplyFromWire_MalformedReply_ThrowsNamingTheField(string name)
    {
        var (build, expected) = MalformedReplies[name];
        var bytes = build().ToByteArray();

        AssertMalformed(() => SessionWireFormat.ReplyFromWire(Wire.SessionReply.Parser.ParseFrom(bytes)), expected);
    }

    private static readonly Dictionary<string, (Action<Wire.SessionStateData> Mutate, string Expected)> MalformedStates = new()
    {
        ["missing id"] = (s => s.SessionId = ByteString.Empty, "SessionReply.snapshot.state.session_id is missing"),
        ["32-byte id"] = (s => s.SessionId = ByteString.CopyFrom(new byte[32]), "SessionReply.snapshot.state.session_id is 32 bytes; a session id is 16"),
        ["missing created"] = (s => s.ClearCreatedUtcTicks(), "SessionReply.snapshot.state.created_utc_ticks is missing"),
        ["negative created"] = (s => s.CreatedUtcTicks = -1, "SessionReply.snapshot.state.created_utc_ticks is -1, outside 0 to"),
        ["created past the calendar"] = (s => s.CreatedUtcTicks = long.MaxValue, $"SessionReply.snapshot.state.created_utc_ticks is {long.MaxValue}, outside 0 to"),
        ["missing last accessed"] = (s => s.ClearLastAccessedUtcTicks(), "SessionReply.snapshot.state.last_accessed_utc_ticks is missing"),
        ["accessed before created"] = (s => s.LastAccessedUtcTicks = s.CreatedUtcTicks - 1, "SessionReply.snapshot.state.last_accessed_utc_ticks is"),
        ["missing interval"] = (s => s.ClearMaxInactiveIntervalTicks(), "SessionReply.snapshot.state.max_inactive_interval_ticks is missing"),
        ["negative interval"] = (s => s.MaxInactiveIntervalTicks = -1, "SessionReply.snapshot.state.max_inactive_interval_ticks is -1; a duration is never negative"),
        ["empty name"] = (s => s.Attributes[2].Name = string.Empty, "SessionReply.snapshot.state.attributes[2].name is missing"),
        ["empty json"] = (s => s.Attributes[0].JsonValue = ByteString.Empty, "SessionReply.snapshot.state.attributes[0].json_value is empty"),
        ["duplicate name"] = (s => s.Attributes[2].Name = "b", "SessionReply.snapshot.state.attributes[2].name repeats the attribute 'b'"),
    };

    public static TheoryData<string> MalformedStateCases() => [.. MalformedStates.Keys];

    [Theory]
    [MemberData(nameof(MalformedStateCases))]
    public void ReplyFromWire_MalformedSnapshotState_ThrowsNamingTheField(string name)
    {
        var (mutate, expected) = MalformedStates[name];
        var wire = SessionWireFormat.ReplyToWire(Snapshot() with { Attributes = [new("a", "1"u8.ToArray()), new("b", "2"u8.ToArray()), new("c", "3"u8.ToArray())] });
        mutate(wire.Snapshot.State);
        var bytes = wire.ToByteArray();

        AssertMalformed(() => SessionWireFormat.ReplyFromWire(Wire.SessionReply.Parser.ParseFrom(bytes)), expected);
    }

    [Fact]
    public void ToWire_CommandsTheWireCannotCarry_Throw()
    {
        Assert.Throws<ArgumentException>(() => SessionWireFormat.ToWire(new GetAttribute(Id, string.Empty)));
        Assert.Throws<ArgumentException>(() => SessionWireFormat.ToWire(new RemoveAttribute(Id, "a" + '\ud800')));
        Assert.Throws<ArgumentException>(() => SessionWireFormat.ToWire(new IncrementAttribute(Id, '\udc00' + "b", 1, IncrementAttribute.NewOperationId())));
        Assert.Throws<ArgumentException>(() => SessionWireFormat.ToWire(new SetAttribute(Id, "a", [])));
        Assert.Throws<ArgumentNullException>(() => SessionWireFormat.ToWire(new SetAttribute(Id, "a", null!)));
        Assert.Throws<ArgumentException>(() => SessionWireFormat.ToWire(new UnknownCommand(Id)));
    }

    [Fact]
    public void ReplyToWire_ValuesTheWireCannotCarry_Throw()
    {
        Assert.Throws<ArgumentException>(() => SessionWireFormat.ReplyToWire("not a reply"));
        Assert.Throws<ArgumentException>(() => SessionWireFormat.ReplyToWire(new GetSession(Id)));
        Assert.Throws<ArgumentException>(() => SessionWireFormat.ReplyToWire(new SessionRejected((SessionRejection)99, "m")));
        Assert.Throws<ArgumentException>(() => SessionWireFormat.ReplyToWire(new AttributeValue("a", [])));
        Assert.Throws<ArgumentException>(() => SessionWireFormat.ReplyToWire(new AttributeValue(string.Empty, null)));
        Assert.Throws<ArgumentException>(() => SessionWireFormat.ReplyToWire(Snapshot() with { Owner = string.Empty }));
        Assert.Throws<ArgumentException>(() => SessionWireFormat.ReplyToWire(Snapshot() with { MaxInactiveInterval = TimeSpan.FromTicks(-1) }));
        Assert.Throws<ArgumentException>(() => SessionWireFormat.ReplyToWire(Snapshot() with { LastAccessed = T0.AddTicks(-1) }));
        Assert.Throws<ArgumentException>(() => SessionWireFormat.ReplyToWire(Snapshot() with { Attributes = [new("a", "1"u8.ToArray()), new("a", "2"u8.ToArray())] }));
    }

    private sealed record UnknownCommand(SessionId SessionId) : SessionCommand(SessionId);

    private static SessionId IdFor(string which) => which switch
    {
        "0" => new SessionId(UInt128.Zero),
        "1" => new SessionId(UInt128.One),
        "max" => new SessionId(UInt128.MaxValue),
        _ => Id,
    };

    private static SessionSnapshot Snapshot() =>
        new(Id, "node-a", T0, T0.AddSeconds(1), TimeSpan.FromMinutes(30), [new("a", "1"u8.ToArray()), new("b", "2"u8.ToArray())]);

    private static Wire.SessionCommand Command(SessionCommand command, Action<Wire.SessionCommand> mutate)
    {
        var wire = SessionWireFormat.ToWire(command);
        mutate(wire);
        return wire;
    }

    private static Wire.SessionReply Reply(object reply, Action<Wire.SessionReply> mutate)
    {
        var wire = SessionWireFormat.ReplyToWire(reply);
        mutate(wire);
        return wire;
    }

    /// <summary>Through bytes and back; re-encoding the result gives the same bytes (the encoding loses nothing).</summary>
    [Fact]
    public void RoundTrip_RotationCommands_KeepTheirAttributesInOrder()
    {
        KeyValuePair<string, byte[]>[] attributes = [new("b", "1"u8.ToArray()), new(UnicodeName, "{\"x\":[1]}"u8.ToArray())];

        var created = Assert.IsType<CreateSessionFrom>(RoundTrip(new CreateSessionFrom(Id, attributes)));
        var ended = Assert.IsType<EndRotatedSession>(RoundTrip(new EndRotatedSession(Id, [])));

        Assert.Equal(Id, created.SessionId);
        Assert.Equal(attributes.Select(a => (a.Key, Convert.ToHexString(a.Value))), created.Attributes.Select(a => (a.Key, Convert.ToHexString(a.Value))));
        Assert.Empty(ended.Attributes);
    }

    [Fact]
    public void FromWire_RotationCommandWithAnAttributeTwice_IsMalformed()
    {
        var wire = SessionWireFormat.ToWire(new CreateSessionFrom(Id, [new("a", "1"u8.ToArray())]));
        wire.CreateSessionFrom.Attributes.Add(wire.CreateSessionFrom.Attributes[0].Clone());

        var error = Assert.Throws<InvalidDataException>(() => SessionWireFormat.FromWire(wire));
        Assert.Contains("create_session_from.attributes[1].name repeats the attribute 'a'", error.Message);
    }

    private static SessionCommand RoundTrip(SessionCommand command)
    {
        var bytes = SessionWireFormat.ToWire(command).ToByteArray();
        var decoded = SessionWireFormat.FromWire(Wire.SessionCommand.Parser.ParseFrom(bytes));
        Assert.IsType(command.GetType(), decoded);
        Assert.Equal(bytes, SessionWireFormat.ToWire(decoded).ToByteArray());
        return decoded;
    }

    private static object RoundTripReply(object reply)
    {
        var bytes = SessionWireFormat.ReplyToWire(reply).ToByteArray();
        var decoded = SessionWireFormat.ReplyFromWire(Wire.SessionReply.Parser.ParseFrom(bytes));
        Assert.IsType(reply.GetType(), decoded);
        Assert.Equal(bytes, SessionWireFormat.ReplyToWire(decoded).ToByteArray());
        return decoded;
    }

    private static void AssertSnapshotEqual(SessionSnapshot expected, SessionSnapshot actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Owner, actual.Owner);
        Assert.Equal(expected.Created.UtcTicks, actual.Created.UtcTicks);
        Assert.Equal(expected.LastAccessed.UtcTicks, actual.LastAccessed.UtcTicks);
        Assert.Equal(expected.MaxInactiveInterval, actual.MaxInactiveInterval);
        Assert.Equal(expected.Attributes.Select(a => a.Key), actual.Attributes.Select(a => a.Key));
        Assert.Equal(expected.Attributes.Select(a => Convert.ToHexString(a.Value)), actual.Attributes.Select(a => Convert.ToHexString(a.Value)));
    }

    private static void AssertMalformed(Action decode, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(decode);
        Assert.Contains(expected, error.Message);
    }
}
