using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Sharding;

/// <summary>Where the coordinator singleton lives: on the oldest Up member with the worker role.</summary>
/// <remarks>
/// Every node computes this from its own membership view, so once views agree everyone names the same node. Up only,
/// not Leaving: a worker leaves after its shards have been handed off, and the post then passes to the next oldest,
/// which rebuilds the table by querying the regions. Succession goes to ever younger members, which is why a reign
/// must be re-established by a query rather than inherited.
/// </remarks>
public static class CoordinatorPlacement
{
    /// <summary>The role of nodes that host shards.</summary>
    public const string WorkerRole = "worker";

    /// <summary>The coordinator's node in this view, or null if no worker is Up.</summary>
    public static UniqueAddress? Choose(IEnumerable<Member> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        Member? oldest = null;
        foreach (var member in members)
        {
            if (member.Status == MemberStatus.Up && member.HasRole(WorkerRole) && (oldest is null || member.IsOlderThan(oldest)))
            {
                oldest = member;
            }
        }

        return oldest?.UniqueAddress;
    }
}
