namespace SessionCluster.Actors.Membership;

/// <summary>Base of everything the membership publishes; subscribers pattern-match on the concrete records.</summary>
/// <remarks>Events are computed from the difference between two consecutive views of one node, so a subscriber that
/// starts from <see cref="CurrentClusterState"/> and applies the events stays in step with that node's view.</remarks>
public abstract record ClusterEvent;
