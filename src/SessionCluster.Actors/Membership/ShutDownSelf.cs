namespace SessionCluster.Actors.Membership;

/// <summary>This node is out of the cluster (downed, removed or left): the host must stop its cluster side — shards,
/// singletons, serving as a member — and may restart the process as a new incarnation. The state machine ignores
/// all input afterwards.</summary>
/// <param name="Reason">Why, for the log and the health endpoint.</param>
public sealed record ShutDownSelf(string Reason) : MembershipEffect;
