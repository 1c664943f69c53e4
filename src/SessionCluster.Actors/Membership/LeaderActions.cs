using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Membership;

/// <summary>What the leader does on a converged view: admit, let go, and remove.</summary>
/// <remarks>
/// Only on convergence, because only then has every member that counts seen the same facts, so no other node can
/// be deciding differently about the same member. In one pass, from the converged view:
/// Joining → Up (up-numbers continue after the highest one, in address order);
/// Leaving → Exiting; Exiting → Removed (the Exiting status was itself converged, so all have seen it);
/// Down → Removed once the removal margin has passed since this leader first saw the Down.
/// </remarks>
internal static class LeaderActions
{
    /// <summary>The view after the leader's actions, or null if there was nothing to do; members removed are added
    /// to <paramref name="removed"/> so the leader can tell them directly.</summary>
    public static Gossip? Perform(Gossip gossip, DateTimeOffset now, Func<Member, bool> downRemovalDue, List<Member> removed)
    {
        var nextUp = gossip.Members.Values.Select(member => member.UpNumber).DefaultIfEmpty(0).Max();
        var updated = gossip;
        foreach (var member in gossip.Members.Values)
        {
            switch (member.Status)
            {
                case MemberStatus.Joining:
                    updated = updated.WithMember(member.MovedUp(++nextUp));
                    break;
                case MemberStatus.Leaving:
                    updated = updated.WithMember(member.WithStatus(MemberStatus.Exiting));
                    break;
                case MemberStatus.Exiting:
                    updated = updated.Remove(member.UniqueAddress, now);
                    removed.Add(member);
                    break;
                case MemberStatus.Down when downRemovalDue(member):
                    updated = updated.Remove(member.UniqueAddress, now);
                    removed.Add(member);
                    break;
            }
        }

        return ReferenceEquals(updated, gossip) ? null : updated;
    }

    /// <summary>Where a removed member is told: the leader sends it the gossip that removes it, so it shuts down
    /// promptly rather than waiting for its exit timeout.</summary>
    public static IEnumerable<UniqueAddress> ToTell(IEnumerable<Member> removed, UniqueAddress self) =>
        removed.Select(member => member.UniqueAddress).Where(node => !node.Equals(self));
}
