namespace SessionCluster.Actors.Membership;

/// <summary>A member became Up (the leader saw everyone agree).</summary>
public sealed record MemberUp(Member Member) : MemberEvent(Member);
