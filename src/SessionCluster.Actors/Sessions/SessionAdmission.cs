using System.Collections.Immutable;
using SessionCluster.Actors.Replication;

namespace SessionCluster.Actors.Sessions;

/// <summary>Which sessions of a batch from another node (a hand-off slice, a whole-copy slice) keep this node's session
/// limits: the ones that do are taken, the others are left out one by one, so that one bad session costs nothing but itself.</summary>
/// <remarks>A whole batch is never refused for one session in it: the sender would re-send it forever (it is acknowledged
/// only when taken), and the valid sessions in it would be lost with the bad one. A single delta is still refused whole
/// (see <see cref="Replication.ShardReplica"/>): it holds one session, and its writer is told nothing was taken.</remarks>
public static class SessionAdmission
{
    /// <summary>The sessions of <paramref name="sessions"/> within <paramref name="limits"/>, how many were left out, and
    /// why the first of them was (null if none was).</summary>
    public static SessionBatchAdmitted Filter(ImmutableArray<SessionCrdt> sessions, SessionSettings limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ImmutableArray<SessionCrdt>.Builder? admitted = null;
        string? firstReason = null;
        var rejected = 0;
        for (var i = 0; i < sessions.Length; i++)
        {
            var violation = SessionCommands.LimitViolation(sessions[i], limits);
            if (violation is null)
            {
                admitted?.Add(sessions[i]);
                continue;
            }

            if (admitted is null)
            {
                // Copied only once a session is left out: the common batch passes through as it came.
                admitted = ImmutableArray.CreateBuilder<SessionCrdt>(sessions.Length - 1);
                admitted.AddRange(sessions, i);
            }

            rejected++;
            firstReason ??= violation;
        }

        return new SessionBatchAdmitted(admitted?.ToImmutable() ?? sessions, rejected, firstReason);
    }
}
