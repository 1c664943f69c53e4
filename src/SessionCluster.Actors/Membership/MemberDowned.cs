namespace SessionCluster.Actors.Membership;

/// <summary>A member was declared Down; if it is this node, a ShutDownSelf follows.</summary>
public sealed record MemberDowned(Member Member) : MemberEvent(Member);
