using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.TestKit;

/// <summary>The membership invariants a <see cref="ClusterSimulation"/> checks after every step.</summary>
/// <remarks>
/// <list type="number">
/// <item>Statuses only move forward: in each node's view, each incarnation's status only follows legal moves
/// (<see cref="MemberLifecycle.CanReach"/>), and an incarnation that left a view (removed) never comes back to it.</item>
/// <item>A node never keeps claiming membership once out: a running member's own view never has itself Down or
/// removed (it must have shut down in the same step).</item>
/// <item>No split brain: two running nodes that are each the leader of a converged view must each list the other as a
/// live member (not Down, not removed). Two converged leaders that have written each other off are two clusters.</item>
/// </list>
/// </remarks>
public sealed class MembershipInvariants
{
    private readonly Dictionary<UniqueAddress, Dictionary<UniqueAddress, MemberStatus>> _lastSeen = [];
    private readonly Dictionary<UniqueAddress, HashSet<UniqueAddress>> _leftView = [];

    /// <summary>The first violation among <paramref name="nodes"/>, or null.</summary>
    public string? Check(IEnumerable<SimulatedNode> nodes)
    {
        var leaders = new List<SimulatedNode>();
        foreach (var node in nodes)
        {
            if (!node.IsRunning || node.Machine.Phase != MembershipPhase.Member)
            {
                continue;
            }

            var view = node.Machine.Gossip;
            if (CheckMonotonic(node.Self, view) is { } violation)
            {
                return violation;
            }

            if (view.IsTombstoned(node.Self) || view.MemberOf(node.Self)?.Status is null or MemberStatus.Down)
            {
                return $"{node.Self} is still running as a member although its own view has it {(view.MemberOf(node.Self)?.Status.ToString() ?? "removed")}";
            }

            if (node.Machine.IsLeader && node.Machine.IsConverged)
            {
                leaders.Add(node);
            }
        }

        for (var i = 0; i < leaders.Count; i++)
        {
            for (var j = i + 1; j < leaders.Count; j++)
            {
                if (!Live(leaders[i].Machine.Gossip, leaders[j].Self) || !Live(leaders[j].Machine.Gossip, leaders[i].Self))
                {
                    return $"split brain: {leaders[i].Self} and {leaders[j].Self} both lead converged views without each other: " +
                           $"[{string.Join("; ", leaders[i].Machine.Gossip.Members.Values)}] vs [{string.Join("; ", leaders[j].Machine.Gossip.Members.Values)}]";
                }
            }
        }

        return null;
    }

    private static bool Live(Gossip view, UniqueAddress node) => view.MemberOf(node)?.Status is { } status && status != MemberStatus.Down;

    private string? CheckMonotonic(UniqueAddress observer, Gossip view)
    {
        if (!_lastSeen.TryGetValue(observer, out var last))
        {
            _lastSeen[observer] = last = [];
            _leftView[observer] = [];
        }

        var left = _leftView[observer];
        foreach (var (node, member) in view.Members)
        {
            if (left.Contains(node))
            {
                return $"{node} came back into {observer}'s view as {member.Status} after it had been removed";
            }

            if (last.TryGetValue(node, out var previous) && !MemberLifecycle.CanReach(previous, member.Status))
            {
                return $"{observer} saw {node} move {previous} -> {member.Status}, which is not a legal sequence of moves";
            }

            last[node] = member.Status;
        }

        foreach (var node in last.Keys.Where(node => !view.HasMember(node)).ToList())
        {
            last.Remove(node);
            left.Add(node);
        }

        return null;
    }
}
