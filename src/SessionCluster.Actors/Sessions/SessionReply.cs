namespace SessionCluster.Actors.Sessions;

/// <summary>A session as it stands after a command: metadata and attributes (name → compact JSON).</summary>
public sealed record SessionSnapshot(
    SessionId Id,
    string Owner,
    DateTimeOffset Created,
    DateTimeOffset LastAccessed,
    TimeSpan MaxInactiveInterval,
    IReadOnlyList<KeyValuePair<string, byte[]>> Attributes);

/// <summary>One attribute; <see cref="JsonValue"/> is null when the session has no such attribute.</summary>
public sealed record AttributeValue(string Name, byte[]? JsonValue);

/// <summary>The session does not exist here: never issued, expired or invalidated.</summary>
public sealed record SessionNotFound(SessionId SessionId);

/// <summary>The session was invalidated; its id will never be served again.</summary>
public sealed record SessionInvalidated(SessionId SessionId);

/// <summary>A command refused for breaking a limit or a type rule; the session is unchanged.</summary>
public sealed record SessionRejected(SessionRejection Reason, string Message);

/// <summary>Why a command was refused; the web layer maps each to an HTTP status.</summary>
public enum SessionRejection
{
    /// <summary>Name empty, too long, or with control characters (400).</summary>
    InvalidName,

    /// <summary>A single value over the size limit (413).</summary>
    ValueTooLarge,

    /// <summary>The session would hold more attributes than allowed (413).</summary>
    TooManyAttributes,

    /// <summary>The session's total size would exceed the limit (413).</summary>
    SessionTooLarge,

    /// <summary>Increment of an attribute that is not a JSON integer, or that would overflow (409).</summary>
    NotAnInteger,
}
