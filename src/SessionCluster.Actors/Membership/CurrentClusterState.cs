using System.Collections.Immutable;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Membership;

/// <summary>A snapshot of one node's view, for new subscribers (then events) and for <c>GET /cluster/members</c>.</summary>
/// <param name="Self">This node's incarnation.</param>
/// <param name="Members">Current members in address order.</param>
/// <param name="Unreachable">Members some monitor reports unreachable.</param>
/// <param name="Leader">The leader in this view, if any.</param>
/// <param name="IsConverged">True if every member that counts has seen this view.</param>
public sealed record CurrentClusterState(
    UniqueAddress Self,
    ImmutableArray<Member> Members,
    ImmutableSortedSet<UniqueAddress> Unreachable,
    UniqueAddress? Leader,
    bool IsConverged)
{
    /// <summary>The snapshot of <paramref name="gossip"/> as <paramref name="self"/> sees it.</summary>
    public static CurrentClusterState Of(Gossip gossip, UniqueAddress self)
    {
        ArgumentNullException.ThrowIfNull(gossip);
        ArgumentNullException.ThrowIfNull(self);
        return new CurrentClusterState(self, [.. gossip.Members.Values], gossip.Unreachable, gossip.Leader(self), gossip.IsConverged(self));
    }
}
