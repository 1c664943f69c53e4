namespace SessionCluster.Actors.Membership;

/// <summary>A member's status changed in this node's view; <see cref="Member"/> carries the new status.</summary>
public abstract record MemberEvent(Member Member) : ClusterEvent;
