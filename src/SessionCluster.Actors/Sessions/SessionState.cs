using System.Text;

namespace SessionCluster.Actors.Sessions;

/// <summary>The data of one session and the rules that guard it; no actor, no clock: the caller passes <c>now</c>.</summary>
/// <remarks>
/// Attributes are kept in a small array searched linearly: sessions hold few attributes (at most
/// <see cref="SessionSettings.MaxAttributes"/>), and an array costs far less memory per session than a dictionary,
/// which matters at a million sessions per node. Values are immutable compact JSON byte arrays, so snapshots share them.
/// </remarks>
public sealed class SessionState
{
    private KeyValuePair<string, byte[]>[] _attributes = [];
    private int _count;
    private int _bytes;

    public SessionState(SessionId id, DateTimeOffset created, TimeSpan maxInactiveInterval)
    {
        Id = id;
        Created = created;
        LastAccessed = created;
        MaxInactiveInterval = maxInactiveInterval;
    }

    public SessionId Id { get; }

    public DateTimeOffset Created { get; }

    public DateTimeOffset LastAccessed { get; private set; }

    public TimeSpan MaxInactiveInterval { get; }

    public int AttributeCount => _count;

    /// <summary>The attributes in the order they were first set; valid until the next change to this state.</summary>
    internal ReadOnlySpan<KeyValuePair<string, byte[]>> Attributes => _attributes.AsSpan(0, _count);

    /// <summary>UTF-8 bytes of all names and values, the measure of <see cref="SessionSettings.MaxSessionBytes"/>.</summary>
    public int SizeInBytes => _bytes;

    /// <summary>True once the session has been idle for its whole max inactive interval.</summary>
    public bool IsExpired(DateTimeOffset now) => MaxInactiveInterval > TimeSpan.Zero && now - LastAccessed >= MaxInactiveInterval;

    /// <summary>How long until the session expires if it is not accessed; null if it never expires.</summary>
    public TimeSpan? TimeToExpiry(DateTimeOffset now) =>
        MaxInactiveInterval > TimeSpan.Zero ? MaxInactiveInterval - (now - LastAccessed) : null;

    public void Touch(DateTimeOffset now)
    {
        if (now > LastAccessed)
        {
            LastAccessed = now;
        }
    }

    public byte[]? Get(string name)
    {
        var index = IndexOf(name);
        return index < 0 ? null : _attributes[index].Value;
    }

    /// <summary>Sets an attribute if every limit allows it; otherwise returns the rejection and changes nothing.</summary>
    public SessionRejected? Set(string name, byte[] jsonValue, SessionSettings limits)
    {
        if (ValidateName(name, limits) is { } invalid)
        {
            return invalid;
        }

        if (jsonValue.Length > limits.MaxValueBytes)
        {
            return new SessionRejected(SessionRejection.ValueTooLarge, $"The value of '{name}' is {jsonValue.Length} bytes; the limit is {limits.MaxValueBytes}.");
        }

        var index = IndexOf(name);
        var nameBytes = Encoding.UTF8.GetByteCount(name);
        var newBytes = index < 0
            ? _bytes + nameBytes + jsonValue.Length
            : _bytes - _attributes[index].Value.Length + jsonValue.Length;
        if (index < 0 && _count >= limits.MaxAttributes)
        {
            return new SessionRejected(SessionRejection.TooManyAttributes, $"The session already holds {_count} attributes; the limit is {limits.MaxAttributes}.");
        }

        if (newBytes > limits.MaxSessionBytes)
        {
            return new SessionRejected(SessionRejection.SessionTooLarge, $"The session would hold {newBytes} bytes; the limit is {limits.MaxSessionBytes}.");
        }

        if (index >= 0)
        {
            _attributes[index] = new(name, jsonValue);
        }
        else
        {
            if (_count == _attributes.Length)
            {
                Array.Resize(ref _attributes, Math.Max(1, _count * 2));
            }

            _attributes[_count++] = new(name, jsonValue);
        }

        _bytes = newBytes;
        return null;
    }

    /// <summary>Removes an attribute; true if it was there.</summary>
    public bool Remove(string name)
    {
        var index = IndexOf(name);
        if (index < 0)
        {
            return false;
        }

        _bytes -= Encoding.UTF8.GetByteCount(name) + _attributes[index].Value.Length;
        _count--;
        Array.Copy(_attributes, index + 1, _attributes, index, _count - index);
        _attributes[_count] = default;
        return true;
    }

    /// <summary>Adds <paramref name="by"/> to an integer attribute (absent counts as 0); rejects non-integers and overflow.</summary>
    public (long Value, SessionRejected? Rejection) Increment(string name, long by, SessionSettings limits)
    {
        var current = 0L;
        if (Get(name) is { } existing && !AttributeJson.TryReadInteger(existing, out current))
        {
            return (0, new SessionRejected(SessionRejection.NotAnInteger, $"Attribute '{name}' is not an integer."));
        }

        long next;
        try
        {
            next = checked(current + by);
        }
        catch (OverflowException)
        {
            return (0, new SessionRejected(SessionRejection.NotAnInteger, $"Incrementing '{name}' by {by} would overflow a 64-bit integer."));
        }

        return Set(name, AttributeJson.FromInteger(next), limits) is { } rejected ? (0, rejected) : (next, null);
    }

    /// <summary>Rebuilds a state exactly as another node held it (for a shard hand-off): no limit is checked, since the
    /// limits were enforced where the attributes were set, but every invariant a state keeps is.</summary>
    /// <exception cref="ArgumentException">An empty or repeated name, a null value, a last access before creation, or a
    /// negative interval: nothing a <see cref="SessionState"/> ever holds.</exception>
    internal static SessionState Restore(
        SessionId id,
        DateTimeOffset created,
        DateTimeOffset lastAccessed,
        TimeSpan maxInactiveInterval,
        IEnumerable<KeyValuePair<string, byte[]>> attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        ArgumentOutOfRangeException.ThrowIfLessThan(lastAccessed, created);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInactiveInterval, TimeSpan.Zero);
        // A copy of our own: Set and Remove change the array in place, so it must not be shared with the caller.
        var restored = attributes.ToArray();
        var state = new SessionState(id, created, maxInactiveInterval) { LastAccessed = lastAccessed, _attributes = restored };
        foreach (var (name, value) in restored)
        {
            ArgumentException.ThrowIfNullOrEmpty(name, nameof(attributes));
            ArgumentNullException.ThrowIfNull(value, nameof(attributes));
            if (state.IndexOf(name) >= 0)
            {
                throw new ArgumentException($"The attribute '{name}' appears twice.", nameof(attributes));
            }

            // Counted exactly as Set counts, so the limits hold a restored session to what they held it to before.
            state._bytes = checked(state._bytes + Encoding.UTF8.GetByteCount(name) + value.Length);
            state._count++;
        }

        return state;
    }

    /// <summary>The state a snapshot describes, as a new home rebuilds a session handed over from the old one.</summary>
    public static SessionState FromSnapshot(SessionSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return Restore(snapshot.Id, snapshot.Created, snapshot.LastAccessed, snapshot.MaxInactiveInterval, snapshot.Attributes);
    }

    public SessionSnapshot ToSnapshot(string owner) =>
        new(Id, owner, Created, LastAccessed, MaxInactiveInterval, _attributes[.._count]);

    /// <summary>Names are 1 to <see cref="SessionSettings.MaxNameLength"/> printable characters.</summary>
    public static SessionRejected? ValidateName(string name, SessionSettings limits)
    {
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

    private int IndexOf(string name)
    {
        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(_attributes[i].Key, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
