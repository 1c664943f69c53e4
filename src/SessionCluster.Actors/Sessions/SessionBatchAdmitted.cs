using System.Collections.Immutable;
using SessionCluster.Actors.Replication;

namespace SessionCluster.Actors.Sessions;

/// <summary>What <see cref="SessionAdmission.Filter"/> kept of a batch of sessions from another node.</summary>
/// <param name="Admitted">The sessions within the limits, in their original order.</param>
/// <param name="Rejected">How many were left out for breaking a limit.</param>
/// <param name="FirstReason">Why the first one left out was (<see cref="SessionCommands.LimitViolation"/>); null if none was.</param>
public sealed record SessionBatchAdmitted(ImmutableArray<SessionCrdt> Admitted, int Rejected, string? FirstReason);
