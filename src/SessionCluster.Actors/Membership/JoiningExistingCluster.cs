using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Membership;

/// <summary>This first seed, alone in the cluster it formed, was invited by <paramref name="By"/>, a member of an
/// existing cluster, and joins that one instead (a restarted Lighthouse finding the cluster it used to seed).</summary>
public sealed record JoiningExistingCluster(NodeAddress By) : ClusterEvent;
