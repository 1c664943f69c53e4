using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Membership;

/// <summary>Send <paramref name="Message"/> to the node at <paramref name="To"/> (best effort: the protocol tolerates loss).</summary>
public sealed record Send(NodeAddress To, object Message) : MembershipEffect;
