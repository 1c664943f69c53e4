namespace SessionCluster.Actors.Membership;

/// <summary>A member is gone for good (its status is Removed); <paramref name="PreviousStatus"/> tells a graceful
/// exit (Exiting) from a failure (Down).</summary>
public sealed record MemberRemoved(Member Member, MemberStatus PreviousStatus) : MemberEvent(Member);
