using SessionCluster.Actors.Replication;

namespace SessionCluster.Actors.Sessions;

/// <summary>What one command did to a session (<see cref="SessionCommands.Apply"/>): the new state, what a backup needs
/// to be as current, and the answer.</summary>
/// <param name="State">The session after the command; the old state itself when nothing changed.</param>
/// <param name="Delta">Null when no replicated data changed (a read, a touch, a refused or empty write: only
/// <see cref="SessionCrdt.LastAccessed"/> moved, here); otherwise the join of the access and the write, so a backup that
/// applies it is current.</param>
/// <param name="Reply">The answer to the command: a <see cref="SessionSnapshot"/>, <see cref="AttributeValue"/>,
/// <see cref="SessionRejected"/>, <see cref="SessionInvalidated"/> or <see cref="SessionNotFound"/>.</param>
public readonly record struct SessionUpdate(SessionCrdt State, SessionCrdt? Delta, object Reply);
