namespace SessionCluster.Actors.Membership;

/// <summary>The two sides of a suspected split as the deciding leader sees them: members it can reach (itself
/// included) and members it cannot. Members already Down are on neither side.</summary>
public sealed record SplitSides(IReadOnlyCollection<Member> Reachable, IReadOnlyCollection<Member> Unreachable)
{
    /// <summary>Members that count for a decision: Up or Leaving (Joining ones are not yet trusted to vote, Exiting
    /// ones are already going), optionally only those with <paramref name="role"/>.</summary>
    public static IReadOnlyList<Member> Counted(IEnumerable<Member> side, string? role) =>
        [.. side.Where(member => member.Status is MemberStatus.Up or MemberStatus.Leaving && (string.IsNullOrEmpty(role) || member.HasRole(role)))];
}
