using System.Text.Json;

namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>The document of <c>GET /cluster/members</c>: the membership as one node sees it.</summary>
internal sealed record ClusterView(string Self, string? Leader, bool Converged, IReadOnlyList<MemberView> Members)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static ClusterView Parse(string json) =>
        JsonSerializer.Deserialize<ClusterView>(json, Json) ?? throw new JsonException("GET /cluster/members returned null.");

    /// <summary>The entry for <paramref name="address"/> (<c>host:port</c>), or null when it is not a member in this view.</summary>
    public MemberView? Find(string address) => Members.FirstOrDefault(member => member.Address == address);

    /// <summary>
    /// True when this view holds exactly <paramref name="addresses"/>, all Up and reachable, converged, with a leader
    /// among them.
    /// </summary>
    public bool HasExactlyUp(IReadOnlyCollection<string> addresses) =>
        Converged
        && Leader is not null
        && addresses.Contains(Leader)
        && Members.Count == addresses.Count
        && Members.All(member => member.IsUpAndReachable && addresses.Contains(member.Address));

    public override string ToString() =>
        $"self {Self}, leader {Leader ?? "none"}, {(Converged ? "converged" : "not converged")}, members [{string.Join(", ", Members)}]";
}
