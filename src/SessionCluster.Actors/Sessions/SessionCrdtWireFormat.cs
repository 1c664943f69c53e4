using System.Text;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using static SessionCluster.Actors.Sessions.SessionWireFormat;

namespace SessionCluster.Actors.Sessions;

/// <summary>Maps a session's replicated state (<see cref="SessionCrdt"/>, whole or a delta) to and from
/// <c>ReplicatedSession</c> in <c>Protos/sessions.proto</c>, which explains the layout; a shard hand-off ships these.</summary>
/// <remarks>
/// Decoding is strict, as <see cref="SessionWireFormat"/>'s is: anything a correct encoder never writes throws
/// <see cref="InvalidDataException"/> naming the field (e.g. <c>ShardTransfer.sessions[3].attributes[0].last_write</c>);
/// nothing is repaired. Encoding throws <see cref="ArgumentException"/> for what the wire cannot carry (a name with a
/// lone surrogate, an empty JSON value, a negative clock part, an end or an applied increment stamped zero). A decoded
/// state equals the encoded one (<see cref="SessionCrdt.Equals(SessionCrdt)"/>) and encodes to the same bytes. Pure and
/// thread-safe.
/// </remarks>
public static class SessionCrdtWireFormat
{
    // Upper bounds for slicing a hand-off (EstimatedSize), in bytes with tags and lengths: a session's fixed fields,
    // floor and end; an attribute's two stamps and framing; one counter total; the framing of one writer id; an applied
    // increment's id, value, stamp and framing.
    private const int SessionOverheadBytes = 112;
    private const int AttributeOverheadBytes = 56;
    private const int CounterOverheadBytes = 28;
    private const int ReplicaOverheadBytes = 3;
    private const int AppliedIncrementOverheadBytes = 52;

    /// <summary>The wire form of <paramref name="state"/>.</summary>
    /// <exception cref="ArgumentException">A value the wire does not carry (see the remarks).</exception>
    public static Wire.ReplicatedSession ToWire(SessionCrdt state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var replicas = WritersOf(state);
        var wire = new Wire.ReplicatedSession
        {
            SessionId = IdToWire(new SessionId(state.Id)),
            CreatedUtcTicks = state.Created.UtcTicks,
            MaxInactiveIntervalTicks = state.MaxInactiveInterval.Ticks,
            LastAccessedUtcTicks = state.LastAccessed.UtcTicks,
            Floor = StampToWire(state.Attributes.Floor, replicas),
        };
        if (state.Ended is { } end)
        {
            wire.Ended = new Wire.SessionEnd
            {
                Reason = ReasonToWire(end.Value),
                Timestamp = StampToWire(end.Timestamp, replicas)
                    ?? throw new ArgumentException($"Session {state.Id:x32} ended at timestamp zero; a clock stamps every end.", nameof(state)),
            };
        }

        foreach (var entry in state.Attributes.Entries)
        {
            var attribute = new Wire.ReplicatedAttribute
            {
                Name = NameToWire(entry.Name, nameof(state)),
                BaseTimestamp = StampToWire(entry.BaseTimestamp, replicas),
            };
            if (entry.BaseValue is { } json)
            {
                attribute.JsonValue = JsonToWire(json, entry.Name, nameof(state));
            }

            foreach (var (replica, increments, decrements) in entry.Increments.Entries)
            {
                attribute.Increments.Add(new Wire.CounterTotals { Replica = PositionOf(replica, replicas), Increments = increments, Decrements = decrements });
            }

            if (entry.LastWrite != entry.BaseTimestamp)
            {
                attribute.LastWrite = StampToWire(entry.LastWrite, replicas);
            }

            wire.Attributes.Add(attribute);
        }

        foreach (var applied in state.RecentIncrements.Entries)
        {
            wire.RecentIncrements.Add(new Wire.AppliedIncrement
            {
                OperationId = applied.OperationId,
                Name = NameToWire(applied.Name, nameof(state)),
                Value = applied.Value,
                Timestamp = StampToWire(applied.Timestamp, replicas)
                    ?? throw new ArgumentException(
                        $"Session {state.Id:x32} remembers an increment stamped zero; a clock stamps every write.", nameof(state)),
            });
        }

        foreach (var replica in replicas)
        {
            wire.Replicas.Add(replica.Value);
        }

        return wire;
    }

    /// <summary>The state <paramref name="wire"/> describes, named <c>ReplicatedSession</c> in errors.</summary>
    /// <param name="wire">The wire form, as parsed.</param>
    /// <param name="sharedReplicas">Replica ids already decoded, by text, to share instead of keeping one copy of the same
    /// text per session (a hand-off slice names the same few writers in thousands of sessions); filled as it goes.</param>
    /// <exception cref="InvalidDataException">The wire form is malformed; the message names the field.</exception>
    public static SessionCrdt FromWire(Wire.ReplicatedSession? wire, Dictionary<string, ReplicaId>? sharedReplicas = null) =>
        FromWire(wire, "ReplicatedSession", sharedReplicas);

    /// <summary>The state <paramref name="wire"/> describes.</summary>
    /// <param name="wire">The wire form, as parsed.</param>
    /// <param name="field">What the message is called in errors (the path from the envelope).</param>
    /// <param name="sharedReplicas">Replica ids already decoded, by text, to share instead of keeping one copy of the same
    /// text per session (a hand-off slice names the same few writers in thousands of sessions); filled as it goes.</param>
    /// <exception cref="InvalidDataException">The wire form is malformed; the message names the field.</exception>
    public static SessionCrdt FromWire(Wire.ReplicatedSession? wire, WireField field, Dictionary<string, ReplicaId>? sharedReplicas = null)
    {
        // One pass, paths and all: a WireField makes no text unless an error needs it. Without an error no path goes
        // more than three parts below field (attributes[i].increments[j].replica), so a field of one part (a hand-off's
        // ShardTransfer.sessions[i]) stays within WireField.InlineParts and nothing folds into text either.
        _ = wire ?? throw Malformed(field, "is missing");
        var (id, created, lastAccessed, maxInactiveInterval) = HeaderFromWire(
            wire.SessionId, (wire.HasCreatedUtcTicks, wire.CreatedUtcTicks), (wire.HasLastAccessedUtcTicks, wire.LastAccessedUtcTicks),
            (wire.HasMaxInactiveIntervalTicks, wire.MaxInactiveIntervalTicks), field);
        var replicas = ReplicasFromWire(wire, field.Then("replicas"), sharedReplicas);
        var floor = StampFromWire(wire.Floor, replicas, field.Then("floor"));
        LwwRegister<SessionEndReason>? ended = null;
        if (wire.Ended is { } end)
        {
            var stamp = end.Timestamp is null
                ? throw Malformed(field.Then("ended.timestamp"), "is missing")
                : StampFromWire(end.Timestamp, replicas, field.Then("ended.timestamp"));
            ended = new LwwRegister<SessionEndReason>(ReasonFromWire(end.Reason, field.Then("ended.reason")), stamp);
            if (wire.Attributes.Count > 0)
            {
                throw Malformed(field.Then("attributes"), $"holds {wire.Attributes.Count} entries in an ended session, which holds none");
            }
        }

        var entries = new AttributeEntry[wire.Attributes.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            var at = field.Then("attributes", i);
            entries[i] = EntryFromWire(wire.Attributes[i], replicas, at);
            if (i > 0 && string.CompareOrdinal(entries[i - 1].Name, entries[i].Name) >= 0)
            {
                throw Malformed(at.Then("name"), $"'{entries[i].Name}' does not follow '{entries[i - 1].Name}'; names are in strictly ascending ordinal order");
            }
        }

        var attributes = entries.Length == 0 && floor == HlcTimestamp.Zero ? AttributeMap.Empty : AttributeMap.Of(entries, floor);
        var recent = RecentFromWire(wire, attributes, replicas, field);
        return SessionCrdt.Restore(id.Value, created, maxInactiveInterval, lastAccessed, attributes, ended, recent);
    }

    /// <summary>A little more than the bytes <paramref name="state"/> takes on the wire, never less: what a hand-off
    /// slices by, without encoding each session twice.</summary>
    public static int EstimatedSize(SessionCrdt state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var size = SessionOverheadBytes;
        foreach (var replica in WritersOf(state))
        {
            size += ReplicaOverheadBytes + Encoding.UTF8.GetByteCount(replica.Value);
        }

        foreach (var entry in state.Attributes.Entries)
        {
            size += AttributeOverheadBytes + Encoding.UTF8.GetByteCount(entry.Name) + (entry.BaseValue?.Length ?? 0) +
                CounterOverheadBytes * entry.Increments.Entries.Length;
        }

        foreach (var applied in state.RecentIncrements.Entries)
        {
            size += AppliedIncrementOverheadBytes + Encoding.UTF8.GetByteCount(applied.Name);
        }

        return size;
    }

    /// <summary>Every writer the state's stamps and counter totals name, once each, in the order the encoding meets them.</summary>
    private static List<ReplicaId> WritersOf(SessionCrdt state)
    {
        var writers = new List<ReplicaId>(2);
        Add(state.Attributes.Floor.Replica);
        Add(state.Ended?.Timestamp.Replica ?? default);
        foreach (var entry in state.Attributes.Entries)
        {
            Add(entry.BaseTimestamp.Replica);
            foreach (var (replica, _, _) in entry.Increments.Entries)
            {
                Add(replica);
            }

            Add(entry.LastWrite.Replica);
        }

        foreach (var applied in state.RecentIncrements.Entries)
        {
            Add(applied.Timestamp.Replica);
        }

        return writers;

        // The default replica (null text) is only ever zero's, which the wire leaves out.
        void Add(ReplicaId replica)
        {
            if (replica.Value is not null && !writers.Contains(replica))
            {
                writers.Add(replica);
            }
        }
    }

    private static Wire.HlcStamp? StampToWire(HlcTimestamp stamp, List<ReplicaId> replicas)
    {
        if (stamp == HlcTimestamp.Zero)
        {
            return null;
        }

        if (stamp.WallTicks < 0 || stamp.Logical < 0)
        {
            throw new ArgumentException($"The timestamp {stamp} has a negative part; a clock never makes one.", nameof(stamp));
        }

        return new Wire.HlcStamp { WallTicks = stamp.WallTicks, Logical = (uint)stamp.Logical, Replica = PositionOf(stamp.Replica, replicas) };
    }

    private static uint PositionOf(ReplicaId replica, List<ReplicaId> replicas)
    {
        // WritersOf listed every named writer; only a stamp with the default (nameless) replica is not among them.
        var position = replicas.IndexOf(replica);
        return position >= 0 ? (uint)position : throw new ArgumentException("A timestamp other than zero names no replica.", nameof(replica));
    }

    private static ReplicaId[] ReplicasFromWire(Wire.ReplicatedSession wire, WireField field, Dictionary<string, ReplicaId>? shared)
    {
        var replicas = new ReplicaId[wire.Replicas.Count];
        for (var i = 0; i < replicas.Length; i++)
        {
            var at = field.At(i);
            var text = wire.Replicas[i];
            if (text.Length == 0)
            {
                throw Malformed(at, "is empty; a replica id is 1 or more characters");
            }

            for (var j = 0; j < i; j++)
            {
                if (string.Equals(replicas[j].Value, text, StringComparison.Ordinal))
                {
                    throw Malformed(at, $"repeats the replica '{text}'");
                }
            }

            if (shared is null)
            {
                replicas[i] = new ReplicaId(text);
            }
            else if (!shared.TryGetValue(text, out replicas[i]))
            {
                replicas[i] = shared[text] = new ReplicaId(text);
            }
        }

        return replicas;
    }

    private static HlcTimestamp StampFromWire(Wire.HlcStamp? wire, ReplicaId[] replicas, WireField field)
    {
        if (wire is null)
        {
            return HlcTimestamp.Zero;
        }

        if (!wire.HasWallTicks || !wire.HasLogical || !wire.HasReplica)
        {
            throw Malformed(field.Then(!wire.HasWallTicks ? "wall_ticks" : !wire.HasLogical ? "logical" : "replica"), "is missing");
        }

        if (wire.WallTicks < 0)
        {
            throw Malformed(field.Then("wall_ticks"), $"is {wire.WallTicks}; a clock reading is never negative");
        }

        if (wire.Logical > int.MaxValue)
        {
            throw Malformed(field.Then("logical"), $"is {wire.Logical}, above {int.MaxValue}");
        }

        return new HlcTimestamp(wire.WallTicks, (int)wire.Logical, ReplicaAt(wire.Replica, replicas, field.Then("replica")));
    }

    private static ReplicaId ReplicaAt(uint position, ReplicaId[] replicas, WireField field) =>
        position < (uint)replicas.Length ? replicas[position] : throw Malformed(field, $"is {position}, outside the {replicas.Length} replicas listed");

    private static AttributeEntry EntryFromWire(Wire.ReplicatedAttribute wire, ReplicaId[] replicas, WireField field)
    {
        var name = NameFromWire(wire.Name, field.Then("name"));
        var baseTimestamp = StampFromWire(wire.BaseTimestamp, replicas, field.Then("base_timestamp"));
        var value = wire.HasJsonValue ? JsonFromWire(wire.JsonValue, field.Then("json_value")) : null;
        var totals = new (ReplicaId Replica, ulong Increments, ulong Decrements)[wire.Increments.Count];
        for (var i = 0; i < totals.Length; i++)
        {
            var at = field.Then("increments", i);
            var counted = wire.Increments[i];
            if (!counted.HasReplica || !counted.HasIncrements || !counted.HasDecrements)
            {
                throw Malformed(at.Then(!counted.HasReplica ? "replica" : !counted.HasIncrements ? "increments" : "decrements"), "is missing");
            }

            totals[i] = (ReplicaAt(counted.Replica, replicas, at.Then("replica")), counted.Increments, counted.Decrements);
            if (i > 0 && totals[i - 1].Replica >= totals[i].Replica)
            {
                throw Malformed(at.Then("replica"), $"names '{totals[i].Replica}' after '{totals[i - 1].Replica}'; totals are in strictly ascending ordinal order of replica");
            }
        }

        var lastWrite = baseTimestamp;
        if (wire.LastWrite is { } last)
        {
            lastWrite = StampFromWire(last, replicas, field.Then("last_write"));
            if (lastWrite <= baseTimestamp)
            {
                throw Malformed(field.Then("last_write"), $"is {lastWrite}, not after the base's {baseTimestamp}; it is left out when equal");
            }
        }

        return new AttributeEntry(name, value, baseTimestamp, totals.Length == 0 ? PNCounter.Empty : PNCounter.Of(totals), lastWrite);
    }

    /// <summary>The session's <c>recent_increments</c>; <paramref name="field"/> is the session's path, so that a
    /// record's stamp (<c>recent_increments[i].timestamp.replica</c>) sits no deeper than an attribute's.</summary>
    private static RecentIncrements RecentFromWire(Wire.ReplicatedSession wire, AttributeMap attributes, ReplicaId[] replicas, WireField field)
    {
        var count = wire.RecentIncrements.Count;
        if (count > 0 && wire.Ended is not null)
        {
            throw Malformed(field.Then("recent_increments"), $"holds {count} entries in an ended session, which keeps none");
        }

        if (count > RecentIncrements.Capacity)
        {
            throw Malformed(field.Then("recent_increments"), $"holds {count} entries; a session keeps at most {RecentIncrements.Capacity}");
        }

        var applied = new AppliedIncrement[count];
        for (var i = 0; i < count; i++)
        {
            var record = wire.RecentIncrements[i];
            var at = field.Then("recent_increments", i);
            if (!record.HasOperationId || !record.HasValue || record.Timestamp is null)
            {
                throw Malformed(at.Then(!record.HasOperationId ? "operation_id" : !record.HasValue ? "value" : "timestamp"), "is missing");
            }

            // The attribute's copy of the name where it has one (a counting session repeats the name in every record),
            // which was checked with the attribute.
            var name = record.Name is { Length: > 0 } plain && attributes.Find(plain) is { } entry
                ? entry.Name
                : NameFromWire(record.Name, at.Then("name"));
            applied[i] = new AppliedIncrement(record.OperationId, name, record.Value, StampFromWire(record.Timestamp, replicas, at.Then("timestamp")));
            if (i > 0 && applied[i - 1].CompareTo(applied[i]) <= 0)
            {
                throw Malformed(at, $"({applied[i]}) does not follow ({applied[i - 1]}); applied increments are in strictly descending order");
            }
        }

        // Checked above: distinct, newest first and within the capacity, so only the retention rule is left to apply.
        return RecentIncrements.OfNewestFirst(applied);
    }

    private static Wire.SessionEndReason ReasonToWire(SessionEndReason reason) => reason switch
    {
        SessionEndReason.Invalidated => Wire.SessionEndReason.Invalidated,
        SessionEndReason.Expired => Wire.SessionEndReason.Expired,
        _ => throw new ArgumentException($"{(int)reason} is not a defined SessionEndReason.", nameof(reason)),
    };

    private static SessionEndReason ReasonFromWire(Wire.SessionEndReason reason, WireField field) => reason switch
    {
        Wire.SessionEndReason.Invalidated => SessionEndReason.Invalidated,
        Wire.SessionEndReason.Expired => SessionEndReason.Expired,
        Wire.SessionEndReason.Unspecified => throw Malformed(field, "is missing"),
        _ => throw Malformed(field, $"is {(int)reason}, not a known end reason"),
    };
}
