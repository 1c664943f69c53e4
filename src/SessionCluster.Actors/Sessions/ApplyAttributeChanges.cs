namespace SessionCluster.Actors.Sessions;

/// <summary>Sets and removes several attributes at once, all or none: what an ASP.NET Core <c>ISession</c> commit sends
/// (only the keys the request changed). Reply: <see cref="SessionSnapshot"/>, <see cref="SessionRejected"/> (nothing
/// changed) or <see cref="SessionNotFound"/>.</summary>
/// <remarks>
/// <para>One command, so one CRDT delta: a backup, a retry and a concurrent request see either the whole batch or none
/// of it. Concurrent batches of one session that touch different names both survive; on the same name the later write
/// wins, as with <see cref="SetAttribute"/>.</para>
/// <para>Idempotent like the single-attribute commands it bundles: a set writes the same value again, a removal of an
/// absent name changes nothing (and leaves no tombstone), so a batch sent again to a session's next home after a
/// failover has the effect of once.</para>
/// <para>Each name appears at most once; limits (value size, attribute count, session size) are checked against the
/// session as the whole batch would leave it.</para>
/// </remarks>
public sealed record ApplyAttributeChanges(SessionId SessionId, IReadOnlyList<AttributeChange> Changes) : SessionCommand(SessionId);
