using SessionCluster.Cmd.Model;

namespace SessionCluster.Cmd.Views;

/// <summary>What <c>sessionctl cluster leader</c> prints with <c>--json</c>: <c>{"leader","oldest","self"}</c>, as the asked node sees them.</summary>
/// <param name="Leader">The leader's cluster address, or null while there is none.</param>
/// <param name="Oldest">The oldest Up worker, where the shard coordinator lives; null when the node does not report it.</param>
/// <param name="Self">The cluster address of the node that was asked.</param>
public sealed record LeaderView(string? Leader, string? Oldest, string Self)
{
    public static LeaderView From(MembersDocument members) => new(members.Leader, members.Oldest, members.Self);
}
