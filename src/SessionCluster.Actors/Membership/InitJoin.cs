namespace SessionCluster.Actors.Membership;

/// <summary>Sent by a node that is not yet a member to every seed: "are you in a cluster I can join?".</summary>
/// <param name="ClusterName">The asker's cluster name; a seed of another cluster refuses with a <see cref="JoinRefusal"/>.</param>
public sealed record InitJoin(string ClusterName);
