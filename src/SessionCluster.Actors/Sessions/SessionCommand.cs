namespace SessionCluster.Actors.Sessions;

/// <summary>A request addressed to one session; the region routes it by <see cref="SessionId"/>.</summary>
/// <remarks>Every command counts as an access: it refreshes the session's last-accessed time.</remarks>
public abstract record SessionCommand(SessionId SessionId)
{
    /// <summary>True if applying the command twice has the effect of applying it once, so that a request whose first
    /// attempt may or may not have been applied (its home died before answering) can be sent again.</summary>
    public virtual bool IsRetrySafe => true;
}

/// <summary>Reply: <see cref="SessionSnapshot"/>.</summary>
public sealed record GetSession(SessionId SessionId) : SessionCommand(SessionId);

/// <summary>Reply: <see cref="AttributeValue"/> (its value null if the attribute is absent).</summary>
public sealed record GetAttribute(SessionId SessionId, string Name) : SessionCommand(SessionId);

/// <summary>Sets an attribute to a compact JSON value. Reply: <see cref="SessionSnapshot"/> or <see cref="SessionRejected"/>.</summary>
public sealed record SetAttribute(SessionId SessionId, string Name, byte[] JsonValue) : SessionCommand(SessionId);

/// <summary>Reply: <see cref="SessionSnapshot"/>.</summary>
public sealed record RemoveAttribute(SessionId SessionId, string Name) : SessionCommand(SessionId);

/// <summary>Adds <paramref name="By"/> to an integer attribute (a missing one starts at 0). Reply: <see cref="AttributeValue"/> or <see cref="SessionRejected"/>.</summary>
public sealed record IncrementAttribute(SessionId SessionId, string Name, long By) : SessionCommand(SessionId)
{
    /// <summary>False: a second attempt would count again.</summary>
    public override bool IsRetrySafe => false;
}

/// <summary>Ends the session for good. Reply: <see cref="SessionInvalidated"/>.</summary>
public sealed record InvalidateSession(SessionId SessionId) : SessionCommand(SessionId);

/// <summary>Refreshes last-accessed only. Reply: <see cref="SessionSnapshot"/>.</summary>
public sealed record TouchSession(SessionId SessionId) : SessionCommand(SessionId);

/// <summary>Starts a new session under an id this cluster just minted (<see cref="SessionId.New"/>); never an id a
/// client sent. The id is minted where the request enters, so that it can be routed to its shard like any other
/// command. Reply: <see cref="SessionSnapshot"/>.</summary>
public sealed record CreateSession(SessionId SessionId) : SessionCommand(SessionId);
