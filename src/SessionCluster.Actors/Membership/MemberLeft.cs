namespace SessionCluster.Actors.Membership;

/// <summary>A member started leaving gracefully (Leaving).</summary>
public sealed record MemberLeft(Member Member) : MemberEvent(Member);
