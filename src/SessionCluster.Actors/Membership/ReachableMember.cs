namespace SessionCluster.Actors.Membership;

/// <summary>Every monitor that had lost a member hears from it again.</summary>
public sealed record ReachableMember(Member Member) : ClusterEvent;
