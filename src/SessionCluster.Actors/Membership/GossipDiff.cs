using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Membership;

/// <summary>The events between two consecutive views of one node: what subscribers need to follow that view.</summary>
internal static class GossipDiff
{
    public static IEnumerable<ClusterEvent> Events(Gossip before, Gossip after, UniqueAddress self)
    {
        foreach (var (node, member) in after.Members)
        {
            if (before.MemberOf(node)?.Status == member.Status)
            {
                continue;
            }

            yield return member.Status switch
            {
                MemberStatus.Joining => new MemberJoined(member),
                MemberStatus.Up => new MemberUp(member),
                MemberStatus.Leaving => new MemberLeft(member),
                MemberStatus.Exiting => new MemberExited(member),
                _ => new MemberDowned(member),
            };
        }

        foreach (var (node, member) in before.Members)
        {
            if (!after.HasMember(node))
            {
                yield return new MemberRemoved(new Member(node, MemberStatus.Removed, member.Roles, member.UpNumber, member.Route), member.Status);
            }
        }

        var wasUnreachable = before.Unreachable;
        var isUnreachable = after.Unreachable;
        foreach (var node in isUnreachable.Except(wasUnreachable))
        {
            if (!node.Equals(self))
            {
                yield return new UnreachableMember(after.Members[node]);
            }
        }

        foreach (var node in wasUnreachable.Except(isUnreachable))
        {
            if (!node.Equals(self) && after.MemberOf(node) is { } member)
            {
                yield return new ReachableMember(member);
            }
        }
    }
}
