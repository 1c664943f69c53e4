namespace SessionCluster.Cmd.Model;

/// <summary><c>GET /cluster/members</c>: the membership as the asked node sees it.</summary>
/// <param name="Self">The cluster address of the node that answered.</param>
/// <param name="Leader">The leader's cluster address, or null while there is none.</param>
/// <param name="Converged">Whether every member has seen the same membership.</param>
/// <param name="Members">Every member the node knows, removed ones excepted.</param>
/// <param name="Oldest">The oldest Up worker (where the shard coordinator lives); null from nodes that predate the field.</param>
public sealed record MembersDocument(
    string Self,
    string? Leader,
    bool Converged,
    IReadOnlyList<MemberEntry> Members,
    string? Oldest = null);
