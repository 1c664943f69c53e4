using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Membership;

/// <summary>The leader in this node's view changed; null when there is none (e.g. the node is shutting down).</summary>
public sealed record LeaderChanged(UniqueAddress? Leader) : ClusterEvent;
