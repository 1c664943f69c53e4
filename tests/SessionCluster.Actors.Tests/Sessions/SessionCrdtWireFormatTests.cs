using System.Text;
using FsCheck.Fluent;
using Google.Protobuf;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Tests.Replication;
using Wire = SessionCluster.Actors.Sessions.Wire;

namespace SessionCluster.Actors.Tests.Sessions;

/// <summary>The wire form of the replicated session state: whole states, ended ones and deltas survive the trip through
/// bytes exactly (equal, and the same bytes again), and malformed input is rejected naming the field.</summary>
public sealed class SessionCrdtWireFormatTests
{
    private static readonly UInt128 Id = new(0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210);
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ReplicaId A = new("10.0.0.1:4000#-8811");
    private static readonly ReplicaId B = new("10.0.0.2:4000#42");
    private static readonly ReplicaId C = new("[::1]:4001#7");

    // Names and values a byte-for-byte comparison would catch mangling: non-ASCII, astral-plane, escapes kept as sent.
    private const string UnicodeName = "ünïcødé ☃ \ud83d\ude00";
    private static readonly byte[] UnicodeJson = Encoding.UTF8.GetBytes("{\"a\":[1,2.5,null],\"b\":\"héllo \\u0000 \ud83d\ude00\"}");

    [Fact]
    public void RoundTrip_LiveState_KeepsValuesTombstonesCountersFloorAndTimes()
    {
        var state = Busy();

        var restored = RoundTrip(state);

        Assert.Equal(state, restored);
        Assert.Equal(["a", "n", UnicodeName], restored.VisibleAttributes().Select(a => a.Key));
        Assert.Equal("-5", Text(restored.Get("n")));
        Assert.Equal(1, restored.Attributes.TombstoneCount);
        Assert.Equal(state.SizeInBytes, restored.SizeInBytes);
        Assert.Equal(state.NewestTimestamp, restored.NewestTimestamp);
        Assert.Equal(T0.AddTicks(987_654_321), restored.LastAccessed);
    }

    [Fact]
    public void RoundTrip_CountersFromSeveralReplicas_KeepEveryReplicasTotals()
    {
        var state = SessionCrdt.Create(Id, T0, TimeSpan.FromMinutes(30));
        state = state.Increment("n", 5, 1, A, At(1, A)).State;
        state = SessionCrdt.Merge(state.Increment("n", -2, 2, B, At(2, B)).State, state.Increment("n", 10, 3, C, At(2, C)).State);
        state = state.Increment("n", long.MinValue, 4, A, At(3, A)).State;

        var restored = RoundTrip(state);
        var wire = SessionCrdtWireFormat.ToWire(state);

        Assert.Equal(state, restored);
        Assert.Equal(state.Attributes.Find("n")!.Increments.Entries.ToArray(), restored.Attributes.Find("n")!.Increments.Entries.ToArray());
        Assert.Equal([A.Value, B.Value, C.Value], wire.Replicas);
        // The counter stands on the implicit removal at the floor, zero: the wire leaves it out.
        Assert.Null(wire.Attributes[0].BaseTimestamp);
    }

    [Fact]
    public void RoundTrip_RememberedIncrements_KeepsThemAndSharesTheAttributesCopyOfTheName()
    {
        var state = Busy();
        for (var i = 0; i < RecentIncrements.Capacity + 3; i++)
        {
            state = state.Increment(i % 2 == 0 ? "n" : "m", -i, (ulong)i << 40, i % 3 == 0 ? A : C, At(30 + i, i % 3 == 0 ? A : C)).State;
        }

        // A record whose attribute has gone since keeps a name of its own.
        state = state.Remove("m", At(50, B)).State.CollectGarbage(At(51, B));

        var restored = RoundTrip(state);

        Assert.Equal(RecentIncrements.Capacity, restored.RecentIncrements.Count);
        Assert.Equal(state.RecentIncrements, restored.RecentIncrements);
        Assert.Null(restored.Attributes.Find("m"));
        Assert.All(
            restored.RecentIncrements.Entries.Where(applied => applied.Name == "n"),
            applied => Assert.Same(restored.Attributes.Find("n")!.Name, applied.Name));
    }

    [Theory]
    [InlineData(SessionEndReason.Invalidated)]
    [InlineData(SessionEndReason.Expired)]
    public void RoundTrip_EndedSession_KeepsTheTombstoneAndTheFloor(SessionEndReason reason)
    {
        var ended = Busy().End(reason, At(90, C)).State;

        var restored = RoundTrip(ended);

        Assert.Equal(ended, restored);
        Assert.Equal((reason, At(90, C)), (restored.Ended!.Value, restored.Ended.Timestamp));
        Assert.Equal(At(3, A), restored.Attributes.Floor);
        Assert.Empty(restored.Attributes.Entries);
    }

    [Fact]
    public void RoundTrip_Deltas_AreEqualAndApplyAsTheOriginals()
    {
        var state = Busy();
        var deltas = new[]
        {
            state.Set("x", "[1]"u8.ToArray(), At(20, B)).Delta,
            state.Remove("a", At(21, A)).Delta,
            state.Increment("n", 3, 5, C, At(22, C)).Delta,
            state.Touch(T0.AddDays(1)).Delta,
            state.End(SessionEndReason.Invalidated, At(23, B)).Delta,
        };

        foreach (var delta in deltas)
        {
            var restored = RoundTrip(delta);

            Assert.Equal(delta, restored);
            Assert.Equal(state.Apply(delta), state.Apply(restored));
        }
    }

    [Fact]
    public void RoundTrip_FreshStateThatNeverExpires_IsEqual()
    {
        var state = SessionCrdt.Create(Id, T0, TimeSpan.Zero);

        var restored = RoundTrip(state);

        Assert.Equal(state, restored);
        Assert.Same(AttributeMap.Empty, restored.Attributes);
        Assert.False(restored.IsExpired(T0.AddYears(10)));
    }

    [Fact]
    public void RoundTrip_StateCreatedWithAnOffset_KeepsTheInstants()
    {
        var created = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.FromHours(2)).AddTicks(1);

        var restored = RoundTrip(SessionCrdt.Create(Id, created, TimeSpan.FromMinutes(30)));

        Assert.Equal(created.UtcTicks, restored.Created.UtcTicks);
        Assert.Equal(created.UtcTicks, restored.LastAccessed.UtcTicks);
    }

    [Fact]
    public void RoundTrip_EveryStateReplicasReach_IsExact() =>
        ReplicationGen.Check(Prop.ForAll(ReplicationGen.Steps(ReplicationGen.Step), steps =>
        {
            var simulation = ReplicaSimulation.Run(steps, collectGarbage: true);
            return simulation.States.Concat(simulation.Deltas.Select(delta => delta.Delta)).All(state =>
            {
                var bytes = SessionCrdtWireFormat.ToWire(state).ToByteArray();
                var decoded = SessionCrdtWireFormat.FromWire(Wire.ReplicatedSession.Parser.ParseFrom(bytes));
                return decoded.Equals(state) && bytes.AsSpan().SequenceEqual(SessionCrdtWireFormat.ToWire(decoded).ToByteArray());
            });
        }));

    [Fact]
    public void FromWire_RestoredState_GoesOnAsTheOriginalWould()
    {
        var generous = SessionClusterSettings.Default.Sessions with { MaxValueBytes = 1000, MaxAttributes = 100, MaxSessionBytes = 100_000, MaxNameLength = 100 };
        var host = new SessionHost(generous, "n", B);
        var original = Busy();
        var restored = RoundTrip(original);
        SessionCommand[] commands =
        [
            new SetAttribute(new SessionId(Id), "c", "3"u8.ToArray()), new SetAttribute(new SessionId(Id), "a", "1"u8.ToArray()),
            new RemoveAttribute(new SessionId(Id), UnicodeName), new IncrementAttribute(new SessionId(Id), "n", 2, IncrementAttribute.NewOperationId()),
        ];

        foreach (var command in commands)
        {
            original = SessionCommands.Apply(original, command, host, T0.AddMinutes(5)).State;
            restored = SessionCommands.Apply(restored, command, host, T0.AddMinutes(5)).State;
        }

        Assert.Equal(original, restored);
        Assert.False(restored.IsEnded);
        Assert.Equal("-3", Text(restored.Get("n")));
    }

    [Fact]
    public void FromWire_RestoredState_DoesNotShareTheDecodedMessage()
    {
        var wire = SessionCrdtWireFormat.ToWire(Busy());
        var restored = SessionCrdtWireFormat.FromWire(wire);

        wire.Attributes[0].JsonValue = ByteString.CopyFromUtf8("2");

        Assert.Equal("\"x\""u8.ToArray(), restored.Get("a"));
    }

    [Fact]
    public void FromWire_WithSharedReplicas_KeepsOneCopyOfEachReplicaId()
    {
        var shared = new Dictionary<string, ReplicaId>(StringComparer.Ordinal);
        var first = SessionCrdtWireFormat.ToWire(Busy());
        var second = SessionCrdtWireFormat.ToWire(Busy());

        var one = SessionCrdtWireFormat.FromWire(Wire.ReplicatedSession.Parser.ParseFrom(first.ToByteArray()), sharedReplicas: shared);
        var two = SessionCrdtWireFormat.FromWire(Wire.ReplicatedSession.Parser.ParseFrom(second.ToByteArray()), sharedReplicas: shared);

        Assert.Same(one.Attributes.Find("a")!.BaseTimestamp.Replica.Value, two.Attributes.Find("a")!.BaseTimestamp.Replica.Value);
        Assert.Equal(3, shared.Count);
    }

    [Fact]
    public void EstimatedSize_IsNeverBelowTheEncodedSizeNorFarAbove()
    {
        var big = SessionCrdt.Create(Id, T0, TimeSpan.FromMinutes(30));
        for (var i = 0; i < 40; i++)
        {
            big = big.Set($"name-{i}-ü", Encoding.UTF8.GetBytes($"\"{new string('v', i * 37)}\""), At(i + 1, i % 2 == 0 ? A : B)).State;
        }

        SessionCrdt[] states =
        [
            SessionCrdt.Create(Id, T0, TimeSpan.Zero), Busy(), Busy().End(SessionEndReason.Expired, At(99, A)).State, big,
            SessionCrdt.Merge(Busy().Increment("n", 1, 6, B, At(50, B)).State, Busy().Increment("n", long.MaxValue, 7, C, At(50, C)).State),
            Enumerable.Range(0, RecentIncrements.Capacity).Aggregate(
                Busy(), (counted, i) => counted.Increment(UnicodeName + i, long.MinValue + i, ulong.MaxValue - (ulong)i, C, At(60 + i, C)).State),
        ];

        foreach (var state in states)
        {
            var actual = SessionCrdtWireFormat.ToWire(state).CalculateSize();
            var estimate = SessionCrdtWireFormat.EstimatedSize(state);

            Assert.True(estimate >= actual && estimate <= 2 * actual + 200, $"estimated {estimate} bytes for {actual} on the wire: {state}");
        }
    }

    /// <summary>Each case breaks one rule of a valid state's wire form; the error must name the field.</summary>
    private static readonly Dictionary<string, (Action<Wire.ReplicatedSession> Mutate, string Expected)> Malformed = new()
    {
        ["missing id"] = (w => w.SessionId = ByteString.Empty, "ReplicatedSession.session_id is missing"),
        ["8-byte id"] = (w => w.SessionId = ByteString.CopyFrom(new byte[8]), "ReplicatedSession.session_id is 8 bytes; a session id is 16"),
        ["missing created"] = (w => w.ClearCreatedUtcTicks(), "ReplicatedSession.created_utc_ticks is missing"),
        ["missing last accessed"] = (w => w.ClearLastAccessedUtcTicks(), "ReplicatedSession.last_accessed_utc_ticks is missing"),
        ["accessed before created"] = (w => w.LastAccessedUtcTicks = w.CreatedUtcTicks - 1, "ReplicatedSession.last_accessed_utc_ticks is"),
        ["missing interval"] = (w => w.ClearMaxInactiveIntervalTicks(), "ReplicatedSession.max_inactive_interval_ticks is missing"),
        ["negative interval"] = (w => w.MaxInactiveIntervalTicks = -5, "ReplicatedSession.max_inactive_interval_ticks is -5; a duration is never negative"),
        ["empty replica"] = (w => w.Replicas[1] = string.Empty, "ReplicatedSession.replicas[1] is empty"),
        ["repeated replica"] = (w => w.Replicas[2] = w.Replicas[0], "ReplicatedSession.replicas[2] repeats the replica"),
        ["replica out of range"] = (w => w.Floor.Replica = 3, "ReplicatedSession.floor.replica is 3, outside the 3 replicas listed"),
        ["stamp without wall"] = (w => w.Floor.ClearWallTicks(), "ReplicatedSession.floor.wall_ticks is missing"),
        ["stamp without logical"] = (w => w.Attributes[0].BaseTimestamp.ClearLogical(), "ReplicatedSession.attributes[0].base_timestamp.logical is missing"),
        ["stamp without replica"] = (w => w.Attributes[1].LastWrite.ClearReplica(), "ReplicatedSession.attributes[1].last_write.replica is missing"),
        ["negative wall"] = (w => w.Floor.WallTicks = -1, "ReplicatedSession.floor.wall_ticks is -1; a clock reading is never negative"),
        ["logical past int"] = (w => w.Floor.Logical = uint.MaxValue, $"ReplicatedSession.floor.logical is {uint.MaxValue}, above {int.MaxValue}"),
        ["empty name"] = (w => w.Attributes[2].Name = string.Empty, "ReplicatedSession.attributes[2].name is missing"),
        ["names out of order"] = (w => w.Attributes[0].Name = "zz", "ReplicatedSession.attributes[1].name 'b' does not follow 'zz'"),
        ["name twice"] = (w => w.Attributes[1].Name = "a", "ReplicatedSession.attributes[1].name 'a' does not follow 'a'"),
        ["empty json"] = (w => w.Attributes[0].JsonValue = ByteString.Empty, "ReplicatedSession.attributes[0].json_value is empty"),
        ["totals without increments"] = (w => w.Attributes[1].Increments[0].ClearIncrements(), "ReplicatedSession.attributes[1].increments[0].increments is missing"),
        ["totals without replica"] = (w => w.Attributes[1].Increments[1].ClearReplica(), "ReplicatedSession.attributes[1].increments[1].replica is missing"),
        ["totals out of order"] = (w => w.Attributes[1].Increments[1].Replica = w.Attributes[1].Increments[0].Replica, "ReplicatedSession.attributes[1].increments[1].replica names"),
        ["last write not after base"] = (w => w.Attributes[1].LastWrite = w.Attributes[1].BaseTimestamp.Clone(), "ReplicatedSession.attributes[1].last_write is"),
        ["end without stamp"] = (w => w.Ended = new Wire.SessionEnd { Reason = Wire.SessionEndReason.Expired }, "ReplicatedSession.ended.timestamp is missing"),
        ["end without reason"] = (w => w.Ended = new Wire.SessionEnd { Timestamp = w.Floor.Clone() }, "ReplicatedSession.ended.reason is missing"),
        ["end of unknown reason"] = (w => w.Ended = new Wire.SessionEnd { Reason = (Wire.SessionEndReason)9, Timestamp = w.Floor.Clone() }, "ReplicatedSession.ended.reason is 9, not a known end reason"),
        ["applied without id"] = (w => w.RecentIncrements[0].ClearOperationId(), "ReplicatedSession.recent_increments[0].operation_id is missing"),
        ["applied without value"] = (w => w.RecentIncrements[1].ClearValue(), "ReplicatedSession.recent_increments[1].value is missing"),
        ["applied without stamp"] = (w => w.RecentIncrements[0].Timestamp = null, "ReplicatedSession.recent_increments[0].timestamp is missing"),
        ["applied stamp without wall"] = (w => w.RecentIncrements[1].Timestamp.ClearWallTicks(), "ReplicatedSession.recent_increments[1].timestamp.wall_ticks is missing"),
        ["applied stamp of no replica"] = (w => w.RecentIncrements[0].Timestamp.Replica = 3, "ReplicatedSession.recent_increments[0].timestamp.replica is 3, outside the 3 replicas listed"),
        ["applied without name"] = (w => w.RecentIncrements[1].Name = string.Empty, "ReplicatedSession.recent_increments[1].name is missing"),
        ["applied oldest first"] = (w => w.RecentIncrements.Add(w.RecentIncrements[0].Clone()), "ReplicatedSession.recent_increments[2] (000000000000000b b = 4 at"),
        ["applied twice"] = (w => w.RecentIncrements[1] = w.RecentIncrements[0].Clone(), "ReplicatedSession.recent_increments[1] (000000000000000b b = 4 at"),
        ["applied more than kept"] = (w => w.RecentIncrements.Add(Enumerable.Repeat(w.RecentIncrements[1], RecentIncrements.Capacity - 1).Select(r => r.Clone())), $"ReplicatedSession.recent_increments holds {RecentIncrements.Capacity + 1} entries; a session keeps at most {RecentIncrements.Capacity}"),
        ["applied in an ended session"] = (w =>
        {
            w.Attributes.Clear();
            w.Ended = new Wire.SessionEnd { Reason = Wire.SessionEndReason.Invalidated, Timestamp = w.Floor.Clone() };
        }, "ReplicatedSession.recent_increments holds 2 entries in an ended session, which keeps none"),
        ["ended with attributes"] = (w => w.Ended = new Wire.SessionEnd { Reason = Wire.SessionEndReason.Invalidated, Timestamp = w.Floor.Clone() }, "ReplicatedSession.attributes holds 4 entries in an ended session"),
    };

    public static TheoryData<string> MalformedCases() => [.. Malformed.Keys];

    [Theory]
    [MemberData(nameof(MalformedCases))]
    public void FromWire_Malformed_ThrowsNamingTheField(string name)
    {
        var (mutate, expected) = Malformed[name];
        var wire = SessionCrdtWireFormat.ToWire(Shaped());
        mutate(wire);
        var bytes = wire.ToByteArray();

        var error = Assert.Throws<InvalidDataException>(() => SessionCrdtWireFormat.FromWire(Wire.ReplicatedSession.Parser.ParseFrom(bytes)));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void ToWire_ValuesTheWireCannotCarry_Throw()
    {
        var fresh = SessionCrdt.Create(Id, T0, TimeSpan.Zero);
        SessionCrdt[] refused =
        [
            // Only a caller that bypassed ValidateName makes such a name; the wire still refuses to mangle it.
            fresh.Set("a" + '\ud800', "1"u8.ToArray(), At(1, A)).State,
            fresh.End(SessionEndReason.Expired, HlcTimestamp.Zero).State,
            fresh.Set("a", "1"u8.ToArray(), new HlcTimestamp(5, -1, A)).State,
            fresh.Set("a", "1"u8.ToArray(), new HlcTimestamp(5, 0, default)).State,
            SessionCrdt.Restore(Id, T0, TimeSpan.Zero, T0, AttributeMap.Empty, null, RecentIncrements.Of(new AppliedIncrement(1, "n", 1, HlcTimestamp.Zero))),
        ];

        Assert.All(refused, state => Assert.ThrowsAny<ArgumentException>(() => SessionCrdtWireFormat.ToWire(state)));
    }

    [Fact]
    public void Restore_BrokenInvariants_Throw()
    {
        var entry = new AttributeEntry("a", "1"u8.ToArray(), At(1, A), PNCounter.Empty, At(1, A));

        Assert.Throws<ArgumentException>(() => AttributeMap.Of([entry, entry], HlcTimestamp.Zero));
        Assert.Throws<ArgumentException>(() => new AttributeEntry(string.Empty, entry.BaseValue, entry.BaseTimestamp, PNCounter.Empty, At(1, A)));
        Assert.Throws<ArgumentOutOfRangeException>(() => SessionCrdt.Restore(Id, T0, TimeSpan.Zero, T0.AddTicks(-1), AttributeMap.Empty, null, RecentIncrements.Empty));
        Assert.Throws<ArgumentOutOfRangeException>(() => SessionCrdt.Restore(Id, T0, TimeSpan.FromTicks(-1), T0, AttributeMap.Empty, null, RecentIncrements.Empty));
    }

    /// <summary>A live state with a value, a counter of three replicas, a tombstone, a unicode attribute, a floor and an access.</summary>
    private static SessionCrdt Busy()
    {
        var state = SessionCrdt.Create(Id, T0.AddTicks(3), TimeSpan.FromTicks(18_000_000_007));
        state = state.Set("gone", "true"u8.ToArray(), At(1, A)).State;
        state = state.Set("stale", "0"u8.ToArray(), At(2, B)).State.Remove("stale", At(2, C)).State;
        state = state.CollectGarbage(At(3, A));
        state = state.Set("a", "\"x\""u8.ToArray(), At(4, A)).State;
        state = state.Set(UnicodeName, UnicodeJson, At(5, B)).State;
        state = state.Remove("gone", At(6, C)).State;
        state = state.Set("n", "-9"u8.ToArray(), At(7, A)).State;
        state = state.Increment("n", 3, 8, B, At(8, B)).State.Increment("n", 1, 9, C, At(9, C)).State;
        return state.Touch(T0.AddTicks(987_654_321)).State;
    }

    /// <summary>A state whose wire form the malformed cases edit: attributes a, b (a counter of two replicas with a
    /// later write), c, d, in order; three replicas; a floor; the two increments of b remembered, newest (id 11) first.</summary>
    private static SessionCrdt Shaped()
    {
        var state = SessionCrdt.Create(Id, T0, TimeSpan.FromMinutes(30)).CollectGarbage(At(1, A));
        state = state.Set("a", "1"u8.ToArray(), At(2, A)).State.Set("b", "2"u8.ToArray(), At(3, B)).State;
        state = state.Increment("b", 1, 10, A, At(4, A)).State.Increment("b", 1, 11, C, At(5, C)).State;
        return state.Set("c", "3"u8.ToArray(), At(6, A)).State.Set("d", "4"u8.ToArray(), At(7, A)).State;
    }

    private static SessionCrdt RoundTrip(SessionCrdt state)
    {
        var bytes = SessionCrdtWireFormat.ToWire(state).ToByteArray();
        var decoded = SessionCrdtWireFormat.FromWire(Wire.ReplicatedSession.Parser.ParseFrom(bytes));
        Assert.Equal(bytes, SessionCrdtWireFormat.ToWire(decoded).ToByteArray());
        return decoded;
    }

    private static HlcTimestamp At(long wall, ReplicaId replica) => new(T0.UtcTicks + wall, 0, replica);

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);
}
