namespace SessionCluster.Cmd.Model;

/// <summary>One member in <c>GET /cluster/members</c>: its cluster address, status (Joining, Up, Leaving, Exiting, Down, Removed) and roles.</summary>
public sealed record MemberEntry(
    string Address,
    string Status,
    IReadOnlyList<string> Roles,
    bool Reachable,
    string? Uid = null,
    int UpNumber = 0);
