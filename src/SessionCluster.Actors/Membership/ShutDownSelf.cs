namespace SessionCluster.Actors.Membership;

/// <summary>This node is out of the cluster (downed, removed or left): the host must stop its cluster side — shards,
/// singletons, serving as a member — and may restart the process as a new incarnation. The state machine ignores
/// all input afterwards.</summary>
/// <param name="Reason">Why, for the log and the health endpoint.</param>
/// <param name="Left">True if this node asked to leave (a graceful end, not a fault): the log says so at Information.</param>
public sealed record ShutDownSelf(string Reason, bool Left = false) : MembershipEffect;
