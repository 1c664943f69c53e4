namespace SessionCluster.Actors.Management;

/// <summary>An operator's action, from the node that took the HTTP request (and checked the token) to the node that must
/// act; answered with a <see cref="ManagementReply"/> of the same <paramref name="RequestId"/>.</summary>
/// <param name="RequestId">Unique per sender.</param>
/// <param name="Action">What to do.</param>
/// <param name="Weight">For <see cref="ManagementAction.SetWeight"/>: the new capacity weight, 0 to 100.</param>
public sealed record ManagementRequest(long RequestId, ManagementAction Action, double Weight = 0) : IManagementMessage;
