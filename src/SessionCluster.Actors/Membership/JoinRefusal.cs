namespace SessionCluster.Actors.Membership;

/// <summary>The reply to an <see cref="InitJoin"/> or <see cref="Join"/> that can never succeed (another cluster's
/// name); the asker publishes it as <see cref="JoinRefused"/> so an operator sees the misconfiguration.</summary>
public sealed record JoinRefusal(string ClusterName, string Reason);
