using System.Text;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Membership;

/// <summary>Chooses which nodes a node heartbeats: its nearest neighbours on a ring every node orders the same way.</summary>
/// <remarks>
/// The ring is ordered by a stable 64-bit FNV-1a hash of "host:port#uid" (not by address, so neighbours are spread
/// over hosts rather than being the next ports of the same machine), with the address order as tie-breaker. A node
/// watches the <c>perSide</c> nodes after it and the <c>perSide</c> nodes before it, so the relation is symmetric:
/// if A watches B then B watches A. That lets each heartbeat request also serve as proof of life of its sender,
/// which doubles the evidence per interval and makes the detector robust to message loss. With fewer nodes than
/// 2 × perSide + 1 every node watches every other one.
/// </remarks>
public static class HeartbeatRing
{
    /// <summary>The nodes <paramref name="self"/> should monitor among <paramref name="nodes"/> (self need not be in it).</summary>
    /// <param name="self">The monitoring node.</param>
    /// <param name="nodes">Every node that may be monitored (members that are not Down).</param>
    /// <param name="monitoredBy">How many monitors each node should have; rounded up to even (half on each side).</param>
    public static IReadOnlyList<UniqueAddress> Neighbours(UniqueAddress self, IEnumerable<UniqueAddress> nodes, int monitoredBy)
    {
        ArgumentNullException.ThrowIfNull(self);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentOutOfRangeException.ThrowIfLessThan(monitoredBy, 1);
        var ring = nodes.Append(self).Distinct().Select(node => (Key: Hash(node), Node: node)).ToList();
        ring.Sort((a, b) => a.Key != b.Key ? a.Key.CompareTo(b.Key) : a.Node.CompareTo(b.Node));
        var perSide = (monitoredBy + 1) / 2;
        if (ring.Count - 1 <= 2 * perSide)
        {
            return [.. ring.Select(entry => entry.Node).Where(node => !node.Equals(self))];
        }

        var position = ring.FindIndex(entry => entry.Node.Equals(self));
        var neighbours = new List<UniqueAddress>(2 * perSide);
        for (var step = 1; step <= perSide; step++)
        {
            neighbours.Add(ring[(position + step) % ring.Count].Node);
            neighbours.Add(ring[(position - step + ring.Count) % ring.Count].Node);
        }

        return neighbours;
    }

    /// <summary>FNV-1a over the UTF-8 text of the incarnation: the same on every node and every run, unlike
    /// <see cref="string.GetHashCode()"/>.</summary>
    public static ulong Hash(UniqueAddress node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(node.ToString()))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }
}
