namespace SessionCluster.Actors.Membership;

/// <summary>A seed's reply to <see cref="InitJoin"/>: "I am a member; send me your Join".</summary>
public sealed record InitJoinAck(string ClusterName);
