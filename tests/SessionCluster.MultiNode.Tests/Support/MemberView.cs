namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>One entry of <c>members</c> in <c>GET /cluster/members</c>.</summary>
internal sealed record MemberView(string Address, string Uid, string Status, IReadOnlyList<string> Roles, bool Reachable, int UpNumber)
{
    public bool IsUpAndReachable => Status == "Up" && Reachable;

    public override string ToString() => $"{Address}#{Uid} {Status}{(Reachable ? "" : " unreachable")}";
}
