namespace SessionCluster.Actors.Membership;

/// <summary>A leaving member was moved to Exiting; it is removed next.</summary>
public sealed record MemberExited(Member Member) : MemberEvent(Member);
