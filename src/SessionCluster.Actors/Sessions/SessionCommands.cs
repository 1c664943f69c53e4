using System.Globalization;
using System.Text;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Runtime;

namespace SessionCluster.Actors.Sessions;

/// <summary>What each command does to a session's replicated state and what it answers: the rules, pure, with no
/// actor around them.</summary>
/// <remarks>
/// <para>The entity is the single writer that calls this; simulations call it directly. Every call is
/// <c>(state, command, now) → (state, delta, reply)</c> (<see cref="SessionUpdate"/>): nothing here reads a clock or
/// keeps one.</para>
/// <para><b>Access and deltas.</b> Every command on a live session is an access. A read only moves
/// <see cref="SessionCrdt.LastAccessed"/> here and yields no delta; a write's delta is the join of the access and the
/// write, so it carries the newest access time on to the backups too.</para>
/// <para><b>Timestamps.</b> A write is stamped by <see cref="HybridLogicalClock.Next"/> after the state's
/// <see cref="SessionCrdt.NewestTimestamp"/>, with physical time from <c>now</c>. The state holds every stamp its
/// writers made or merged, so it serves as the clock's memory: an entity started on a state handed over from a node
/// whose clock ran ahead still stamps after everything in it, and no clock is kept per session.</para>
/// <para><b>Limits.</b> max-value-size, max-attributes and max-session-size are checked against the visible attributes
/// (what a reader sees) before anything changes; a refused command changes nothing but the access time.</para>
/// <para><b>Retries.</b> An <see cref="IncrementAttribute"/> whose operation id the state remembers
/// (<see cref="SessionCrdt.RecentIncrements"/>) is a retry of an increment already applied, here or by a home that died:
/// it is answered with the value that increment left and counted no more. It still yields a delta (the attribute's entry
/// and the record, re-shipped), so its answer, like the first, waits until the write consistency holds: after a
/// failover that is what puts the dead home's increment on a second node before the retry is acknowledged.</para>
/// <para><b>Ending.</b> A command on an expired session ends it with an <see cref="SessionEndReason.Expired"/> tombstone
/// and answers <see cref="SessionNotFound"/>, as does any command on an ended session; <see cref="InvalidateSession"/>
/// ends it with <see cref="SessionEndReason.Invalidated"/>. Asking the region to stop routing to it is the caller's part.</para>
/// </remarks>
public static partial class SessionCommands
{
    /// <summary>A new live session, as the region makes it for a <see cref="CreateSession"/> of an unknown id.</summary>
    public static SessionCrdt NewSession(SessionId id, DateTimeOffset now, SessionSettings settings, TimeSpan? maxInactiveInterval = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        // The settings allow "zero or less" for never; the replicated state knows only zero.
        var interval = maxInactiveInterval ?? settings.MaxInactiveInterval;
        return SessionCrdt.Create(id.Value, now, interval > TimeSpan.Zero ? interval : TimeSpan.Zero);
    }

    /// <summary>Applies <paramref name="command"/>, received at <paramref name="now"/>, to <paramref name="state"/>.</summary>
    public static SessionUpdate Apply(SessionCrdt state, SessionCommand command, SessionHost host, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(host);
        if (state.IsEnded)
        {
            return new(state, null, new SessionNotFound(command.SessionId));
        }

        if (Expire(state, host, now) is { } expired)
        {
            return expired;
        }

        switch (command)
        {
            case GetSession or TouchSession:
                var accessed = state.Accessed(now);
                return new(accessed, null, Snapshot(accessed, host.Owner));
            case CreateSession create:
                // The whole state is the first delta a backup gets, the first write's change included.
                var created = state.Accessed(now);
                if (create.Then is not { } then)
                {
                    return new(created, created, Snapshot(created, host.Owner));
                }

                if (!create.IsFirstWrite(then))
                {
                    return new(created, created, new StatusFailure(new NotSupportedException($"{then.GetType().Name} cannot follow a creation.")));
                }

                var written = Apply(created, then, host, now);
                return new(written.State, written.State, written.Reply);
            case GetAttribute get:
                return new(state.Accessed(now), null, new AttributeValue(get.Name, state.Get(get.Name)));
            case SetAttribute set:
                return Set(state, set, host, now);
            case RemoveAttribute remove:
                return Remove(state, remove, host, now);
            case IncrementAttribute increment:
                return Increment(state, increment, host, now);
            case CreateSessionFrom from:
                return Adopt(state, from, host, now);
            case EndRotatedSession rotated when !SameAttributes(state.VisibleAttributes(), rotated.Attributes):
                var changed = state.Accessed(now);
                return new(changed, null, Snapshot(changed, host.Owner));
            case ApplyAttributeChanges changes:
                return ApplyChanges(state, changes, host, now);
            case InvalidateSession or EndRotatedSession:
                var (touched, touch) = state.Touch(now);
                var (ended, end) = touched.End(SessionEndReason.Invalidated, Stamp(touched, host, now));
                return new(ended, SessionCrdt.Merge(end, touch), new SessionInvalidated(command.SessionId));
            default:
                return new(state.Accessed(now), null, new StatusFailure(new NotSupportedException($"Unknown session command {command.GetType().Name}.")));
        }
    }

    /// <summary>Ends <paramref name="state"/> with an expiry tombstone if it has been idle for its whole interval at
    /// <paramref name="now"/>; null if it has not, or has already ended. The reply is <see cref="SessionNotFound"/>.</summary>
    public static SessionUpdate? Expire(SessionCrdt state, SessionHost host, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(host);
        if (state.IsEnded || !state.IsExpired(now))
        {
            return null;
        }

        var (ended, delta) = state.End(SessionEndReason.Expired, Stamp(state, host, now));
        return new(ended, delta, new SessionNotFound(new SessionId(state.Id)));
    }

    /// <summary>The answer that shows a whole session: its visible attributes in ordinal name order.</summary>
    public static SessionSnapshot Snapshot(SessionCrdt state, string owner)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new(new SessionId(state.Id), owner, state.Created, state.LastAccessed, state.MaxInactiveInterval, state.VisibleAttributes());
    }

    /// <summary>Why <paramref name="state"/>, as it arrived from another node (a delta, a backup copy), breaks this node's
    /// limits on what a reader sees (attribute count, value size, session size, name length); null if it does not.</summary>
    /// <remarks>Replication input is checked like HTTP input: the home enforces the limits on every write, so a state over
    /// them is corrupt, forged, or from a node configured otherwise, and merging it would let a peer grow this node's
    /// memory past what any client could.</remarks>
    public static string? LimitViolation(SessionCrdt state, SessionSettings limits)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(limits);
        if (state.AttributeCount > limits.MaxAttributes)
        {
            return $"{state.AttributeCount} attributes, over the limit of {limits.MaxAttributes}";
        }

        if (state.SizeInBytes > limits.MaxSessionBytes)
        {
            return $"{state.SizeInBytes} bytes, over the limit of {limits.MaxSessionBytes}";
        }

        // Writes keep tombstones within max-removed-attributes + max-attributes (see TooManyRemoved); more is forged.
        if (limits.MaxRemovedAttributes > 0 && state.RemovedAttributeCount > (long)limits.MaxRemovedAttributes + limits.MaxAttributes)
        {
            return $"{state.RemovedAttributeCount} removed attributes, over the limit of {(long)limits.MaxRemovedAttributes + limits.MaxAttributes}";
        }

        // The entries themselves, not VisibleAttributes(): a backup checks every delta it merges, and that list is a copy.
        foreach (var entry in state.Attributes.Entries)
        {
            if (entry.VisibleValue is { } value && (value.Length > limits.MaxValueBytes || entry.Name.Length > limits.MaxNameLength))
            {
                var name = entry.Name;
                return $"attribute '{(name.Length > 64 ? name[..64] + "…" : name)}' over the value or name limit";
            }
        }

        return null;
    }

    /// <summary>Names are 1 to <see cref="SessionSettings.MaxNameLength"/> printable characters.</summary>
    public static SessionRejected? ValidateName(string name, SessionSettings limits)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(limits);
        if (name.Length == 0 || name.Length > limits.MaxNameLength)
        {
            return new SessionRejected(SessionRejection.InvalidName, $"An attribute name must be 1 to {limits.MaxNameLength} characters; got {name.Length}.");
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsControl(c))
            {
                return new SessionRejected(SessionRejection.InvalidName, $"An attribute name must be printable: it has a control character at position {i}.");
            }

            if (char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                return new SessionRejected(SessionRejection.InvalidName, $"An attribute name must be valid text: it has a lone surrogate at position {i}.");
            }
        }

        return null;
    }

    /// <summary>The session made to hold exactly <paramref name="from"/>'s attributes, all limits checked first; its whole
    /// state is the delta, since the session is usually new here (a retry ships it again, which merges to the same).</summary>
    private static SessionUpdate Adopt(SessionCrdt state, CreateSessionFrom from, SessionHost host, DateTimeOffset now)
    {
        var limits = host.Settings;
        if (from.Attributes.Count > limits.MaxAttributes)
        {
            return new(state.Accessed(now), null, new SessionRejected(
                SessionRejection.TooManyAttributes, $"The session would hold {from.Attributes.Count} attributes; the limit is {limits.MaxAttributes}."));
        }

        var total = 0L;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, value) in from.Attributes)
        {
            var refused = ValidateName(name, limits)
                ?? (names.Add(name) ? null : new SessionRejected(SessionRejection.InvalidName, $"The attribute '{name}' is given twice."))
                ?? (value.Length > limits.MaxValueBytes
                    ? new SessionRejected(SessionRejection.ValueTooLarge, $"The value of '{name}' is {value.Length} bytes; the limit is {limits.MaxValueBytes}.")
                    : null);
            if (refused is not null)
            {
                return new(state.Accessed(now), null, refused);
            }

            total += Encoding.UTF8.GetByteCount(name) + value.Length;
        }

        if (total > limits.MaxSessionBytes)
        {
            return new(state.Accessed(now), null, new SessionRejected(
                SessionRejection.SessionTooLarge, $"The session would hold {total} bytes; the limit is {limits.MaxSessionBytes}."));
        }

        var written = state.Touch(now).State;
        foreach (var (name, _) in written.VisibleAttributes().Where(attribute => !names.Contains(attribute.Key)).ToList())
        {
            written = written.Remove(name, Stamp(written, host, now)).State;
        }

        foreach (var (name, value) in from.Attributes)
        {
            if (written.Get(name) is not { } current || !current.AsSpan().SequenceEqual(value))
            {
                written = written.Set(name, value, Stamp(written, host, now)).State;
            }
        }

        return new(written, written, Snapshot(written, host.Owner));
    }

    /// <summary>True if both lists hold the same names with the same values (a snapshot's order is the state's).</summary>
    private static bool SameAttributes(IReadOnlyList<KeyValuePair<string, byte[]>> visible, IReadOnlyList<KeyValuePair<string, byte[]>> expected)
    {
        if (visible.Count != expected.Count)
        {
            return false;
        }

        var byName = new Dictionary<string, byte[]>(expected.Count, StringComparer.Ordinal);
        foreach (var (name, value) in expected)
        {
            byName[name] = value;
        }

        return visible.All(attribute => byName.TryGetValue(attribute.Key, out var value) && value.AsSpan().SequenceEqual(attribute.Value));
    }

    private static SessionUpdate Set(SessionCrdt state, SetAttribute set, SessionHost host, DateTimeOffset now)
    {
        if ((ValidateName(set.Name, host.Settings) ?? Refusal(state, set.Name, set.JsonValue.Length, host.Settings)) is { } refused)
        {
            return new(state.Accessed(now), null, refused);
        }

        var (touched, touch) = state.Touch(now);
        var (written, write) = touched.Set(set.Name, set.JsonValue, Stamp(touched, host, now));
        return new(written, SessionCrdt.Merge(write, touch), Snapshot(written, host.Owner));
    }

    private static SessionUpdate Remove(SessionCrdt state, RemoveAttribute remove, SessionHost host, DateTimeOffset now)
    {
        if (state.Get(remove.Name) is null)
        {
            // Nothing visible to remove: no tombstone, or removals of names that were never set would grow the session
            // without bound (tombstones count toward no limit until garbage collection takes them).
            var accessed = state.Accessed(now);
            return new(accessed, null, Snapshot(accessed, host.Owner));
        }

        var (touched, touch) = state.Touch(now);
        var (written, write) = touched.Remove(remove.Name, Stamp(touched, host, now));
        return new(written, SessionCrdt.Merge(write, touch), Snapshot(written, host.Owner));
    }

    private static SessionUpdate Increment(SessionCrdt state, IncrementAttribute increment, SessionHost host, DateTimeOffset now)
    {
        var name = increment.Name;
        if (ValidateName(name, host.Settings) is { } invalid)
        {
            return new(state.Accessed(now), null, invalid);
        }

        var (touched, touch) = state.Touch(now);
        var (written, write, value, rejection, repeated) =
            touched.Increment(name, increment.By, increment.OperationId, host.Replica, Stamp(touched, host, now));
        if (repeated)
        {
            // No limit checks: nothing is added. The first answer's bytes are the counted value's text, as here.
            var first = Encoding.UTF8.GetBytes(value.ToString(CultureInfo.InvariantCulture));
            return new(written, SessionCrdt.Merge(write, touch), new AttributeValue(name, first));
        }

        var refused = rejection switch
        {
            IncrementRejection.NotAnInteger => new SessionRejected(SessionRejection.NotAnInteger, $"Attribute '{name}' is not an integer."),
            IncrementRejection.Overflow => new SessionRejected(
                SessionRejection.NotAnInteger, string.Create(CultureInfo.InvariantCulture, $"Incrementing '{name}' by {increment.By} would overflow a 64-bit integer.")),
            _ => Refusal(touched, name, written.Get(name)!.Length, host.Settings),
        };

        return refused is null
            ? new(written, SessionCrdt.Merge(write, touch), new AttributeValue(name, written.Get(name)))
            : new(touched, null, refused);
    }

    /// <summary>Why <paramref name="state"/> may not hold a value of <paramref name="valueBytes"/> bytes under the (valid)
    /// <paramref name="name"/>; null if it may.</summary>
    private static SessionRejected? Refusal(SessionCrdt state, string name, int valueBytes, SessionSettings limits)
    {
        if (valueBytes > limits.MaxValueBytes)
        {
            return new SessionRejected(SessionRejection.ValueTooLarge, $"The value of '{name}' is {valueBytes} bytes; the limit is {limits.MaxValueBytes}.");
        }

        var old = state.Get(name);
        if (old is null && state.AttributeCount >= limits.MaxAttributes)
        {
            return new SessionRejected(SessionRejection.TooManyAttributes, $"The session already holds {state.AttributeCount} attributes; the limit is {limits.MaxAttributes}.");
        }

        if (old is null && TooManyRemoved(state, name, limits) is { } removed)
        {
            return removed;
        }

        var newBytes = old is null
            ? state.SizeInBytes + Encoding.UTF8.GetByteCount(name) + valueBytes
            : state.SizeInBytes - old.Length + valueBytes;
        if (newBytes > limits.MaxSessionBytes)
        {
            return new SessionRejected(SessionRejection.SessionTooLarge, $"The session would hold {newBytes} bytes; the limit is {limits.MaxSessionBytes}.");
        }

        return null;
    }

    /// <summary>The refusal of a write that would add <paramref name="name"/> as a new entry (not even a tombstone of it is
    /// held) to a session keeping <see cref="SessionSettings.MaxRemovedAttributes"/> tombstones or more; null otherwise.</summary>
    /// <remarks>Tombstones are never collected yet, so this is what bounds them: each new name can later become one, and
    /// with at most max-attributes visible ones to remove, a session never keeps more than max-removed-attributes +
    /// max-attributes. Reusing a removed name, or a name held, is always allowed.</remarks>
    private static SessionRejected? TooManyRemoved(SessionCrdt state, string name, SessionSettings limits) =>
        limits.MaxRemovedAttributes > 0 && state.RemovedAttributeCount >= limits.MaxRemovedAttributes && state.Attributes.Find(name) is null
            ? new SessionRejected(
                SessionRejection.TooManyAttributes,
                $"The session keeps {state.RemovedAttributeCount} removed attributes (a trace of each is kept so that replicas agree); the limit is {limits.MaxRemovedAttributes}. Reuse a removed or existing name, or start a new session.")
            : null;

    /// <summary>The timestamp of a write to <paramref name="state"/> at <paramref name="now"/>: after everything it holds.</summary>
    private static HlcTimestamp Stamp(SessionCrdt state, SessionHost host, DateTimeOffset now) =>
        HybridLogicalClock.Next(state.NewestTimestamp, host.Replica, now.UtcTicks);
}
