using System.Buffers.Binary;
using System.Security.Cryptography;

namespace SessionCluster.Actors.Sessions;

/// <summary>A request addressed to one session; the region routes it by <see cref="SessionId"/>.</summary>
/// <remarks>Every command counts as an access: it refreshes the session's last-accessed time. Every command may be applied twice with the effect of once (sets and removes are last-writer-wins, an
/// increment carries an operation id the session remembers), so a request whose home died before answering can be
/// sent again to the next home.</remarks>
public abstract record SessionCommand(SessionId SessionId)
{
    /// <summary>True if a repeat has the effect of once whatever was applied between the two: reads, an increment (its
    /// operation id), creating and ending. A set or a remove repeated after another request's write to the same
    /// attribute would undo that write, so only a home's death (which ends the first copy's chances) sends those again.</summary>
    public bool RepeatsSafelyLater => this is GetSession or GetAttribute or TouchSession or IncrementAttribute or CreateSession or InvalidateSession;
}

/// <summary>Reply: <see cref="SessionSnapshot"/>.</summary>
public sealed record GetSession(SessionId SessionId) : SessionCommand(SessionId);

/// <summary>Reply: <see cref="AttributeValue"/> (its value null if the attribute is absent).</summary>
public sealed record GetAttribute(SessionId SessionId, string Name) : SessionCommand(SessionId);

/// <summary>Sets an attribute to a compact JSON value. Reply: <see cref="SessionSnapshot"/> or <see cref="SessionRejected"/>.</summary>
public sealed record SetAttribute(SessionId SessionId, string Name, byte[] JsonValue) : SessionCommand(SessionId);

/// <summary>Reply: <see cref="SessionSnapshot"/>.</summary>
public sealed record RemoveAttribute(SessionId SessionId, string Name) : SessionCommand(SessionId);

/// <summary>Adds <paramref name="By"/> to an integer attribute (a missing one starts at 0), once per
/// <paramref name="OperationId"/>. Reply: <see cref="AttributeValue"/> or <see cref="SessionRejected"/>.</summary>
/// <remarks>The operation id is minted once where the request enters the cluster (<see cref="NewOperationId"/>), so
/// every retry of this command carries it, and the session answers a retry of an increment it applied with the value
/// that increment left instead of counting it again (<see cref="Replication.RecentIncrements"/>).</remarks>
public sealed record IncrementAttribute(SessionId SessionId, string Name, long By, ulong OperationId) : SessionCommand(SessionId)
{
    /// <summary>A fresh operation id: 64 random bits.</summary>
    /// <remarks>From the operating system's generator: ids minted on different nodes must not collide, which a
    /// user-space generator's seeding does not promise (a cloned VM or container restores the same state); a collision
    /// within one session's few remembered increments would have an increment answered without being applied. It costs
    /// under a microsecond, nothing next to the request that needs it.</remarks>
    public static ulong NewOperationId()
    {
        Span<byte> bytes = stackalloc byte[sizeof(ulong)];
        RandomNumberGenerator.Fill(bytes);
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }
}

/// <summary>Ends the session for good. Reply: <see cref="SessionInvalidated"/>.</summary>
public sealed record InvalidateSession(SessionId SessionId) : SessionCommand(SessionId);

/// <summary>Refreshes last-accessed only. Reply: <see cref="SessionSnapshot"/>.</summary>
public sealed record TouchSession(SessionId SessionId) : SessionCommand(SessionId);

/// <summary>Starts a new session under an id this cluster just minted (<see cref="SessionId.New"/>); never an id a
/// client sent. The id is minted where the request enters, so that it can be routed to its shard like any other
/// command. Reply: <see cref="SessionSnapshot"/>, or with <paramref name="Then"/> that write's reply.</summary>
/// <remarks>A repeat (the home died before answering) applies <paramref name="Then"/> again, which is safe: until this
/// command is answered, nobody but the request that minted the id knows it, so no other write can come between.</remarks>
/// <param name="SessionId">The freshly minted id.</param>
/// <param name="MaxInactiveInterval">This session's idle timeout (ASP.NET Core's <c>SessionOptions.IdleTimeout</c>);
/// null takes <c>sessions.max-inactive-interval</c>. Fixed for the session's life.</param>
/// <param name="Then">The request's first write to the new session (<see cref="IsFirstWrite"/>), applied in the same turn
/// so that creating a session and writing to it take one round trip; null for none.</param>
public sealed record CreateSession(SessionId SessionId, TimeSpan? MaxInactiveInterval = null, SessionCommand? Then = null) : SessionCommand(SessionId)
{
    /// <summary>True if <paramref name="command"/> may follow a creation as its <see cref="Then"/>: a write to the same
    /// session (a set, remove, increment or attribute batch). Reads need none: the creation's snapshot answers them.</summary>
    public bool IsFirstWrite(SessionCommand command) =>
        command.SessionId == SessionId && command is SetAttribute or RemoveAttribute or IncrementAttribute or ApplyAttributeChanges;
}

/// <summary>Starts a session under a freshly minted id holding exactly <paramref name="Attributes"/> (the copy step of
/// <see cref="SessionClient.Rotate"/>); an existing session of that id is made to hold exactly them. Reply:
/// <see cref="SessionSnapshot"/>, or <see cref="SessionRejected"/> (nothing changed) if they break a limit.</summary>
public sealed record CreateSessionFrom(SessionId SessionId, IReadOnlyList<KeyValuePair<string, byte[]>> Attributes) : SessionCommand(SessionId);

/// <summary>Ends the session if its visible attributes are exactly <paramref name="Attributes"/> (the last step of
/// <see cref="SessionClient.Rotate"/>: nothing written since the copy is lost). Reply: <see cref="SessionInvalidated"/>,
/// or the current <see cref="SessionSnapshot"/> when something changed, for the caller to copy again.</summary>
public sealed record EndRotatedSession(SessionId SessionId, IReadOnlyList<KeyValuePair<string, byte[]>> Attributes) : SessionCommand(SessionId);
