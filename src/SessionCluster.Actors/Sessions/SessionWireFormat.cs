using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Sessions;

/// <summary>Maps session commands and replies to and from <c>Protos/sessions.proto</c>, which explains the layout;
/// sharding embeds these in its own envelopes to reach a session's owner (hand-offs ship the replicated state instead,
/// through <see cref="SessionCrdtWireFormat"/>).</summary>
/// <remarks>
/// Nothing here is registered with a <see cref="Remoting.WireSerializer"/>: these messages never travel alone, so they
/// have no type ids. Decoding is strict: anything a correct encoder never writes (a missing field, an id that is not
/// 16 bytes, an empty name or JSON value, an unknown rejection reason, an empty oneof, a repeated attribute, a negative
/// duration, a last access before creation) throws <see cref="InvalidDataException"/> naming the message and the field;
/// nothing is repaired. Encoding throws <see cref="ArgumentException"/> for values the wire does not carry (the same
/// list, plus names that are not valid UTF-16 and so have no UTF-8 form). Every decoder takes the field it was read
/// from, so an envelope's error names the whole path (e.g. <c>DeliverCommand.command.session_id</c>); it is a
/// <see cref="WireField"/>, made text only for an error. The mappings are pure and thread-safe.
/// </remarks>
public static class SessionWireFormat
{
    private const int IdBytes = 16;

    /// <summary>The wire form of <paramref name="command"/>.</summary>
    /// <exception cref="ArgumentException">An empty or invalid name, an empty JSON value, or a command type the wire does not know.</exception>
    public static Wire.SessionCommand ToWire(SessionCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var wire = new Wire.SessionCommand { SessionId = IdToWire(command.SessionId) };
        switch (command)
        {
            case GetSession:
                wire.GetSession = new();
                break;
            case GetAttribute get:
                wire.GetAttribute = new() { Name = NameToWire(get.Name, nameof(command)) };
                break;
            case SetAttribute set:
                wire.SetAttribute = new() { Name = NameToWire(set.Name, nameof(command)), JsonValue = JsonToWire(set.JsonValue, set.Name, nameof(command)) };
                break;
            case RemoveAttribute remove:
                wire.RemoveAttribute = new() { Name = NameToWire(remove.Name, nameof(command)) };
                break;
            case IncrementAttribute increment:
                wire.IncrementAttribute = new()
                {
                    Name = NameToWire(increment.Name, nameof(command)),
                    By = increment.By,
                    OperationId = increment.OperationId,
                };
                break;
            case InvalidateSession:
                wire.InvalidateSession = new();
                break;
            case TouchSession:
                wire.TouchSession = new();
                break;
            case CreateSession { Then: null } create:
                wire.CreateSession = new();
                if (IntervalToWire(create.MaxInactiveInterval, nameof(command)) is { } ticks)
                {
                    wire.CreateSession.MaxInactiveIntervalTicks = ticks;
                }

                break;
            case CreateSession { Then: { } then } create:
                if (!create.IsFirstWrite(then))
                {
                    throw new ArgumentException($"{then.GetType().Name} of {then.SessionId} cannot follow the creation of {create.SessionId}.", nameof(command));
                }

                wire.CreateSessionWithWrite = new() { Then = ToWire(then) };
                if (IntervalToWire(create.MaxInactiveInterval, nameof(command)) is { } withWriteTicks)
                {
                    wire.CreateSessionWithWrite.MaxInactiveIntervalTicks = withWriteTicks;
                }

                break;
            case ApplyAttributeChanges batch:
                wire.ApplyAttributeChanges = ChangesToWire(batch, nameof(command));
                break;
            case CreateSessionFrom from:
                wire.CreateSessionFrom = new();
                wire.CreateSessionFrom.Attributes.AddRange(AttributesToWire(from.Attributes, nameof(command)));
                break;
            case EndRotatedSession end:
                wire.EndRotatedSession = new();
                wire.EndRotatedSession.Attributes.AddRange(AttributesToWire(end.Attributes, nameof(command)));
                break;
            default:
                throw new ArgumentException($"{command.GetType().Name} is not a session command the wire carries.", nameof(command));
        }

        return wire;
    }

    /// <summary>The command <paramref name="wire"/> describes, named <c>SessionCommand</c> in errors.</summary>
    /// <exception cref="InvalidDataException">The wire form is malformed; the message names the field.</exception>
    public static SessionCommand FromWire(Wire.SessionCommand? wire) => FromWire(wire, "SessionCommand");

    /// <summary>The command <paramref name="wire"/> describes; <paramref name="field"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The wire form is malformed; the message names the field.</exception>
    public static SessionCommand FromWire(Wire.SessionCommand? wire, WireField field)
    {
        if (wire is null)
        {
            throw Malformed(field, "is missing");
        }

        var id = IdFromWire(wire.SessionId, field.Then("session_id"));
        return wire.CommandCase switch
        {
            Wire.SessionCommand.CommandOneofCase.GetSession => new GetSession(id),
            Wire.SessionCommand.CommandOneofCase.GetAttribute =>
                new GetAttribute(id, NameFromWire(wire.GetAttribute.Name, field.Then("get_attribute.name"))),
            Wire.SessionCommand.CommandOneofCase.SetAttribute => new SetAttribute(
                id,
                NameFromWire(wire.SetAttribute.Name, field.Then("set_attribute.name")),
                JsonFromWire(wire.SetAttribute.JsonValue, field.Then("set_attribute.json_value"))),
            Wire.SessionCommand.CommandOneofCase.RemoveAttribute =>
                new RemoveAttribute(id, NameFromWire(wire.RemoveAttribute.Name, field.Then("remove_attribute.name"))),
            Wire.SessionCommand.CommandOneofCase.IncrementAttribute => new IncrementAttribute(
                id,
                NameFromWire(wire.IncrementAttribute.Name, field.Then("increment_attribute.name")),
                wire.IncrementAttribute.HasBy ? wire.IncrementAttribute.By : throw Malformed(field.Then("increment_attribute.by"), "is missing"),
                wire.IncrementAttribute.HasOperationId
                    ? wire.IncrementAttribute.OperationId
                    : throw Malformed(field.Then("increment_attribute.operation_id"), "is missing")),
            Wire.SessionCommand.CommandOneofCase.InvalidateSession => new InvalidateSession(id),
            Wire.SessionCommand.CommandOneofCase.TouchSession => new TouchSession(id),
            Wire.SessionCommand.CommandOneofCase.CreateSession => new CreateSession(
                id,
                IntervalFromWire(wire.CreateSession.HasMaxInactiveIntervalTicks, wire.CreateSession.MaxInactiveIntervalTicks, field.Then("create_session.max_inactive_interval_ticks"))),
            Wire.SessionCommand.CommandOneofCase.CreateSessionWithWrite => CreateWithWriteFromWire(id, wire.CreateSessionWithWrite, field.Then("create_session_with_write")),
            Wire.SessionCommand.CommandOneofCase.ApplyAttributeChanges =>
                ChangesFromWire(id, wire.ApplyAttributeChanges, field.Then("apply_attribute_changes")),
            Wire.SessionCommand.CommandOneofCase.CreateSessionFrom =>
                new CreateSessionFrom(id, AttributesFromWire(wire.CreateSessionFrom.Attributes, field.Then("create_session_from.attributes"))),
            Wire.SessionCommand.CommandOneofCase.EndRotatedSession =>
                new EndRotatedSession(id, AttributesFromWire(wire.EndRotatedSession.Attributes, field.Then("end_rotated_session.attributes"))),
            // A command added after this node was built arrives as an unknown field, so it too lands here.
            _ => throw Malformed(field.Then("command"), "is missing: no command this node knows is set"),
        };
    }

    /// <summary>The wire form of an entity's reply: a <see cref="SessionSnapshot"/>, <see cref="AttributeValue"/>,
    /// <see cref="SessionNotFound"/>, <see cref="SessionInvalidated"/> or <see cref="SessionRejected"/>.</summary>
    /// <exception cref="ArgumentException">Any other type, or a value the wire does not carry (an empty owner or name,
    /// an empty JSON value, an undefined reason, a repeated attribute, a negative interval, a last access before creation).</exception>
    public static Wire.SessionReply ReplyToWire(object reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        switch (reply)
        {
            case SessionSnapshot snapshot:
                ArgumentException.ThrowIfNullOrEmpty(snapshot.Owner, nameof(reply));
                ArgumentNullException.ThrowIfNull(snapshot.Attributes, nameof(reply));
                var attributes = snapshot.Attributes as KeyValuePair<string, byte[]>[] ?? [.. snapshot.Attributes];
                ThrowIfRepeated(attributes, nameof(reply));
                return new()
                {
                    Snapshot = new()
                    {
                        Owner = snapshot.Owner,
                        State = StateDataToWire(snapshot.Id, snapshot.Created, snapshot.LastAccessed, snapshot.MaxInactiveInterval, attributes, nameof(reply)),
                    },
                };
            case AttributeValue value:
                var wire = new Wire.AttributeValue { Name = NameToWire(value.Name, nameof(reply)) };
                if (value.JsonValue is not null)
                {
                    wire.JsonValue = JsonToWire(value.JsonValue, value.Name, nameof(reply));
                }

                return new() { AttributeValue = wire };
            case SessionNotFound notFound:
                return new() { NotFound = new() { SessionId = IdToWire(notFound.SessionId) } };
            case SessionInvalidated invalidated:
                return new() { Invalidated = new() { SessionId = IdToWire(invalidated.SessionId) } };
            case SessionRejected rejected:
                ArgumentNullException.ThrowIfNull(rejected.Message, nameof(reply));
                return new() { Rejected = new() { Reason = RejectionToWire(rejected.Reason), Message = rejected.Message } };
            default:
                throw new ArgumentException($"{reply.GetType().Name} is not a session reply the wire carries.", nameof(reply));
        }
    }

    /// <summary>The reply <paramref name="wire"/> describes (one of the five reply types), named <c>SessionReply</c> in
    /// errors.</summary>
    /// <exception cref="InvalidDataException">The wire form is malformed; the message names the field.</exception>
    public static object ReplyFromWire(Wire.SessionReply? wire) => ReplyFromWire(wire, "SessionReply");

    /// <summary>The reply <paramref name="wire"/> describes (one of the five reply types); <paramref name="field"/> names
    /// it in errors.</summary>
    /// <exception cref="InvalidDataException">The wire form is malformed; the message names the field.</exception>
    public static object ReplyFromWire(Wire.SessionReply? wire, WireField field)
    {
        if (wire is null)
        {
            throw Malformed(field, "is missing");
        }

        switch (wire.ReplyCase)
        {
            case Wire.SessionReply.ReplyOneofCase.Snapshot:
                var at = field.Then("snapshot");
                var owner = wire.Snapshot.Owner.Length > 0 ? wire.Snapshot.Owner : throw Malformed(at.Then("owner"), "is missing");
                var state = ReadStateData(wire.Snapshot.State, at.Then("state"));
                return new SessionSnapshot(state.Id, owner, state.Created, state.LastAccessed, state.MaxInactiveInterval, state.Attributes);
            case Wire.SessionReply.ReplyOneofCase.AttributeValue:
                var value = wire.AttributeValue;
                return new AttributeValue(
                    NameFromWire(value.Name, field.Then("attribute_value.name")),
                    value.HasJsonValue ? JsonFromWire(value.JsonValue, field.Then("attribute_value.json_value")) : null);
            case Wire.SessionReply.ReplyOneofCase.NotFound:
                return new SessionNotFound(IdFromWire(wire.NotFound.SessionId, field.Then("not_found.session_id")));
            case Wire.SessionReply.ReplyOneofCase.Invalidated:
                return new SessionInvalidated(IdFromWire(wire.Invalidated.SessionId, field.Then("invalidated.session_id")));
            case Wire.SessionReply.ReplyOneofCase.Rejected:
                return new SessionRejected(RejectionFromWire(wire.Rejected.Reason, field.Then("rejected.reason")), wire.Rejected.Message);
            default:
                throw Malformed(field.Then("reply"), "is missing: no reply this node knows is set");
        }
    }

    private static Wire.ApplyAttributeChanges ChangesToWire(ApplyAttributeChanges batch, string paramName)
    {
        ArgumentNullException.ThrowIfNull(batch.Changes, paramName);
        var wire = new Wire.ApplyAttributeChanges();
        foreach (var change in batch.Changes)
        {
            var item = new Wire.AttributeChange { Name = NameToWire(change.Name, paramName) };
            if (change.JsonValue is { } value)
            {
                item.JsonValue = JsonToWire(value, change.Name, paramName);
            }

            wire.Changes.Add(item);
        }

        return wire;
    }

    private static long? IntervalToWire(TimeSpan? interval, string parameter)
    {
        if (interval is not { } value)
        {
            return null;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero, parameter);
        return value.Ticks;
    }

    private static TimeSpan? IntervalFromWire(bool present, long ticks, WireField field) =>
        !present ? null
        : ticks >= 0 ? TimeSpan.FromTicks(ticks)
        : throw Malformed(field, $"is {ticks}; a duration is never negative");

    private static CreateSession CreateWithWriteFromWire(SessionId id, Wire.CreateSessionWithWrite wire, WireField field)
    {
        var interval = IntervalFromWire(wire.HasMaxInactiveIntervalTicks, wire.MaxInactiveIntervalTicks, field.Then("max_inactive_interval_ticks"));
        // Decoded as any command, then refused if it is not a write (a creation inside included); how deep a forged
        // nesting can go is bounded by the protobuf parser's recursion limit before this runs.
        var then = FromWire(wire.Then, field.Then("then"));
        var create = new CreateSession(id, interval, then);
        return create.IsFirstWrite(then)
            ? create
            : throw Malformed(field.Then("then"), then.SessionId != id
                ? $"names session {then.SessionId}, not the one created ({id})"
                : $"is a {then.GetType().Name}; only a set, remove, increment or attribute batch may follow a creation");
    }

    private static ApplyAttributeChanges ChangesFromWire(SessionId id, Wire.ApplyAttributeChanges wire, WireField field)
    {
        var changes = new AttributeChange[wire.Changes.Count];
        for (var i = 0; i < changes.Length; i++)
        {
            var item = wire.Changes[i];
            var at = field.Then("changes", i);
            changes[i] = new AttributeChange(
                NameFromWire(item.Name, at.Then("name")),
                item.HasJsonValue ? JsonFromWire(item.JsonValue, at.Then("json_value")) : null);
        }

        return new ApplyAttributeChanges(id, changes);
    }

    /// <summary>The error for a malformed field: <c>{field} {problem}</c>, e.g.
    /// <c>SessionCommand.session_id is 15 bytes; a session id is 16</c>.</summary>
    internal static InvalidDataException Malformed(WireField field, string problem) => new($"Malformed session message: {field} {problem}.");

    private static Wire.SessionStateData StateDataToWire(
        SessionId id, DateTimeOffset created, DateTimeOffset lastAccessed, TimeSpan maxInactiveInterval, ReadOnlySpan<KeyValuePair<string, byte[]>> attributes, string paramName)
    {
        if (lastAccessed < created)
        {
            throw new ArgumentException($"Session {id} was last accessed at {lastAccessed:O}, before its creation at {created:O}.", paramName);
        }

        if (maxInactiveInterval < TimeSpan.Zero)
        {
            throw new ArgumentException($"Session {id} has a negative max inactive interval ({maxInactiveInterval}); 0 means it never expires.", paramName);
        }

        var wire = new Wire.SessionStateData
        {
            SessionId = IdToWire(id),
            CreatedUtcTicks = created.UtcTicks,
            LastAccessedUtcTicks = lastAccessed.UtcTicks,
            MaxInactiveIntervalTicks = maxInactiveInterval.Ticks,
        };
        foreach (var (name, value) in attributes)
        {
            wire.Attributes.Add(new Wire.Attribute { Name = NameToWire(name, paramName), JsonValue = JsonToWire(value, name, paramName) });
        }

        return wire;
    }

    /// <summary>The body of a snapshot as read off the wire, every field checked.</summary>
    private readonly record struct StateData(
        SessionId Id, DateTimeOffset Created, DateTimeOffset LastAccessed, TimeSpan MaxInactiveInterval, KeyValuePair<string, byte[]>[] Attributes);

    private static StateData ReadStateData(Wire.SessionStateData? wire, WireField field)
    {
        _ = wire ?? throw Malformed(field, "is missing");
        var (id, created, lastAccessed, maxInactiveInterval) = HeaderFromWire(
            wire.SessionId, (wire.HasCreatedUtcTicks, wire.CreatedUtcTicks), (wire.HasLastAccessedUtcTicks, wire.LastAccessedUtcTicks),
            (wire.HasMaxInactiveIntervalTicks, wire.MaxInactiveIntervalTicks), field);
        var attributes = new KeyValuePair<string, byte[]>[wire.Attributes.Count];
        var seen = attributes.Length > 1 ? new HashSet<string>(attributes.Length, StringComparer.Ordinal) : null;
        for (var i = 0; i < attributes.Length; i++)
        {
            var at = field.Then("attributes", i);
            var name = NameFromWire(wire.Attributes[i].Name, at.Then("name"));
            if (seen is not null && !seen.Add(name))
            {
                throw Malformed(at.Then("name"), $"repeats the attribute '{name}'");
            }

            attributes[i] = new(name, JsonFromWire(wire.Attributes[i].JsonValue, at.Then("json_value")));
        }

        return new StateData(id, created, lastAccessed, maxInactiveInterval, attributes);
    }

    /// <summary>A session's id, creation, last access and max inactive interval, each required, in range and consistent;
    /// the values with their presence, as the wire's <c>session_id</c>, <c>created_utc_ticks</c>,
    /// <c>last_accessed_utc_ticks</c> and <c>max_inactive_interval_ticks</c> hold them in <paramref name="field"/>.</summary>
    internal static (SessionId Id, DateTimeOffset Created, DateTimeOffset LastAccessed, TimeSpan MaxInactiveInterval) HeaderFromWire(
        ByteString id, (bool Present, long Ticks) created, (bool Present, long Ticks) lastAccessed, (bool Present, long Ticks) interval, WireField field)
    {
        var sessionId = IdFromWire(id, field.Then("session_id"));
        var createdAt = InstantFromWire(created.Present, created.Ticks, field.Then("created_utc_ticks"));
        var accessedAt = InstantFromWire(lastAccessed.Present, lastAccessed.Ticks, field.Then("last_accessed_utc_ticks"));
        if (accessedAt < createdAt)
        {
            throw Malformed(field.Then("last_accessed_utc_ticks"), $"is {lastAccessed.Ticks}, before created_utc_ticks ({created.Ticks})");
        }

        if (!interval.Present)
        {
            throw Malformed(field.Then("max_inactive_interval_ticks"), "is missing");
        }

        if (interval.Ticks < 0)
        {
            throw Malformed(field.Then("max_inactive_interval_ticks"), $"is {interval.Ticks}; a duration is never negative");
        }

        return (sessionId, createdAt, accessedAt, TimeSpan.FromTicks(interval.Ticks));
    }

    internal static ByteString IdToWire(SessionId id)
    {
        // Big-endian, as SessionId.New reads its random bytes and as the text form prints them.
        var bytes = new byte[IdBytes];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, id.Value);
        return UnsafeByteOperations.UnsafeWrap(bytes);
    }

    internal static SessionId IdFromWire(ByteString wire, WireField field) => wire.Length switch
    {
        0 => throw Malformed(field, "is missing"),
        IdBytes => new SessionId(BinaryPrimitives.ReadUInt128BigEndian(wire.Span)),
        _ => throw Malformed(field, $"is {wire.Length} bytes; a session id is {IdBytes}"),
    };

    internal static string NameToWire(string name, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(name, paramName);
        // Protobuf strings are UTF-8, which has no form for a lone surrogate: the name would arrive changed.
        if (HasLoneSurrogate(name))
        {
            throw new ArgumentException($"The attribute name '{name}' is not valid UTF-16 (it has a lone surrogate).", paramName);
        }

        return name;
    }

    private static bool HasLoneSurrogate(ReadOnlySpan<char> text)
    {
        // Most names have no surrogate at all; only those that do are decoded rune by rune.
        if (text.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            return false;
        }

        while (!text.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(text, out _, out var used) != OperationStatus.Done)
            {
                return true;
            }

            text = text[used..];
        }

        return false;
    }

    internal static string NameFromWire(string name, WireField field) => name.Length > 0 ? name : throw Malformed(field, "is missing");

    internal static ByteString JsonToWire(byte[] json, string name, string paramName)
    {
        ArgumentNullException.ThrowIfNull(json, paramName);
        if (json.Length == 0)
        {
            throw new ArgumentException($"The value of '{name}' is empty; a JSON value is at least 1 byte.", paramName);
        }

        // No copy: attribute values are immutable once set (the replicated state shares them with its snapshots too).
        return UnsafeByteOperations.UnsafeWrap(json);
    }

    internal static byte[] JsonFromWire(ByteString json, WireField field) =>
        json.Length > 0 ? json.ToByteArray() : throw Malformed(field, "is empty; a JSON value is at least 1 byte");

    /// <summary>A UTC instant from its ticks, which must be present and a time <see cref="DateTimeOffset"/> can hold.</summary>
    internal static DateTimeOffset InstantFromWire(bool present, long utcTicks, WireField field)
    {
        if (!present)
        {
            throw Malformed(field, "is missing");
        }

        if (utcTicks < 0 || utcTicks > DateTimeOffset.MaxValue.UtcTicks)
        {
            throw Malformed(field, $"is {utcTicks}, outside 0 to {DateTimeOffset.MaxValue.UtcTicks}");
        }

        return new DateTimeOffset(utcTicks, TimeSpan.Zero);
    }

    private static IEnumerable<Wire.Attribute> AttributesToWire(IReadOnlyList<KeyValuePair<string, byte[]>> attributes, string paramName)
    {
        ArgumentNullException.ThrowIfNull(attributes, paramName);
        var array = attributes as KeyValuePair<string, byte[]>[] ?? [.. attributes];
        ThrowIfRepeated(array, paramName);
        return array.Select(attribute => new Wire.Attribute
        {
            Name = NameToWire(attribute.Key, paramName),
            JsonValue = JsonToWire(attribute.Value, attribute.Key, paramName),
        }).ToList();
    }

    private static KeyValuePair<string, byte[]>[] AttributesFromWire(IReadOnlyList<Wire.Attribute> wire, WireField field)
    {
        var attributes = new KeyValuePair<string, byte[]>[wire.Count];
        var seen = new HashSet<string>(attributes.Length, StringComparer.Ordinal);
        for (var i = 0; i < attributes.Length; i++)
        {
            var at = field.At(i);
            var name = NameFromWire(wire[i].Name, at.Then("name"));
            if (!seen.Add(name))
            {
                throw Malformed(at.Then("name"), $"repeats the attribute '{name}'");
            }

            attributes[i] = new(name, JsonFromWire(wire[i].JsonValue, at.Then("json_value")));
        }

        return attributes;
    }

    private static void ThrowIfRepeated(KeyValuePair<string, byte[]>[] attributes, string paramName)
    {
        var seen = new HashSet<string>(attributes.Length, StringComparer.Ordinal);
        foreach (var (name, _) in attributes)
        {
            if (name is not null && !seen.Add(name))
            {
                throw new ArgumentException($"The attribute '{name}' appears twice.", paramName);
            }
        }
    }

    private static Wire.SessionRejection RejectionToWire(SessionRejection reason) => reason switch
    {
        SessionRejection.InvalidName => Wire.SessionRejection.InvalidName,
        SessionRejection.ValueTooLarge => Wire.SessionRejection.ValueTooLarge,
        SessionRejection.TooManyAttributes => Wire.SessionRejection.TooManyAttributes,
        SessionRejection.SessionTooLarge => Wire.SessionRejection.SessionTooLarge,
        SessionRejection.NotAnInteger => Wire.SessionRejection.NotAnInteger,
        _ => throw new ArgumentException($"{(int)reason} is not a defined SessionRejection.", nameof(reason)),
    };

    private static SessionRejection RejectionFromWire(Wire.SessionRejection reason, WireField field) => reason switch
    {
        Wire.SessionRejection.InvalidName => SessionRejection.InvalidName,
        Wire.SessionRejection.ValueTooLarge => SessionRejection.ValueTooLarge,
        Wire.SessionRejection.TooManyAttributes => SessionRejection.TooManyAttributes,
        Wire.SessionRejection.SessionTooLarge => SessionRejection.SessionTooLarge,
        Wire.SessionRejection.NotAnInteger => SessionRejection.NotAnInteger,
        Wire.SessionRejection.Unspecified => throw Malformed(field, "is missing"),
        _ => throw Malformed(field, $"is {(int)reason}, not a known rejection reason"),
    };
}
