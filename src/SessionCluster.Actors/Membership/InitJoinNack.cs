namespace SessionCluster.Actors.Membership;

/// <summary>A seed's reply to <see cref="InitJoin"/>: "I am not in a cluster (yet)". When every other seed says so,
/// the first seed may form the cluster without waiting for the timeout.</summary>
public sealed record InitJoinNack(string ClusterName);
