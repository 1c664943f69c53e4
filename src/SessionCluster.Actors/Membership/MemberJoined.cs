namespace SessionCluster.Actors.Membership;

/// <summary>A member was admitted as Joining.</summary>
public sealed record MemberJoined(Member Member) : MemberEvent(Member);
