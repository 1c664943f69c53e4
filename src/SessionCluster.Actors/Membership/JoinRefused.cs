using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Membership;

/// <summary>A seed or member refused to let this node join, with a reason an operator can act on.</summary>
public sealed record JoinRefused(NodeAddress By, string Reason) : ClusterEvent;
