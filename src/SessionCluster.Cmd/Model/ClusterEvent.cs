namespace SessionCluster.Cmd.Model;

/// <summary>
/// One event of <c>GET /cluster/events</c>: a membership change (<c>MemberUp</c>, <c>UnreachableMember</c>,
/// <c>LeaderChanged</c>…) with the member's address, route and status, or the opening <c>CurrentClusterState</c> snapshot,
/// which carries the members as <c>GET /cluster/members</c> does.
/// </summary>
public sealed record ClusterEvent(
    string Type,
    string? Address = null,
    string? Status = null,
    DateTimeOffset? At = null,
    string? Leader = null,
    IReadOnlyList<MemberEntry>? Members = null,
    string? Route = null);
