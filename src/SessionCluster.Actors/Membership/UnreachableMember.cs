namespace SessionCluster.Actors.Membership;

/// <summary>Some monitor stopped hearing from a member; it is not downed (yet): that is the resolver's call.</summary>
public sealed record UnreachableMember(Member Member) : ClusterEvent;
