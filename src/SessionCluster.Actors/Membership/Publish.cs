namespace SessionCluster.Actors.Membership;

/// <summary>Deliver <paramref name="Event"/> to subscribers (and the log): statuses, reachability, leadership.</summary>
public sealed record Publish(ClusterEvent Event) : MembershipEffect;
