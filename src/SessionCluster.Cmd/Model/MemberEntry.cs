namespace SessionCluster.Cmd.Model;

/// <summary>One member in <c>GET /cluster/members</c>: its cluster address, status (Joining, Up, Leaving, Exiting, Down, Removed), roles and route name (null for none, or from a node that does not send it).</summary>
public sealed record MemberEntry(
    string Address,
    string Status,
    IReadOnlyList<string> Roles,
    bool Reachable,
    string? Uid = null,
    int UpNumber = 0,
    string? Route = null);
