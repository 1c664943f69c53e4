using System.Globalization;
using SessionCluster.Cmd.Model;

namespace SessionCluster.Cmd.Rendering;

/// <summary>One line per membership event for <c>cluster tail</c>: time, type, address (with the route name), status.</summary>
public static class EventFormatter
{
    /// <param name="clusterEvent">The event as the node sent it.</param>
    /// <param name="receivedAt">Stands in for the event's time when the node sent none (the opening snapshot).</param>
    public static string Line(ClusterEvent clusterEvent, DateTimeOffset receivedAt)
    {
        var at = (clusterEvent.At ?? receivedAt).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        if (clusterEvent.Members is { } members)
        {
            var list = string.Join(", ", members.Select(member => $"{NodeLabel.Of(member.Address, member.Route)} {member.Status}{(member.Reachable ? "" : " unreachable")}"));
            return $"{at} {clusterEvent.Type} {members.Count} member{(members.Count == 1 ? "" : "s")}, leader {clusterEvent.Leader ?? "none"}: {list}";
        }

        if (clusterEvent.Type == "LeaderChanged")
        {
            return $"{at} LeaderChanged {clusterEvent.Address ?? "none"}";
        }

        var parts = new List<string> { at, clusterEvent.Type };
        if (clusterEvent.Address is not null)
        {
            parts.Add(NodeLabel.Of(clusterEvent.Address, clusterEvent.Route));
        }

        if (clusterEvent.Status is not null)
        {
            parts.Add(clusterEvent.Status);
        }

        return string.Join(' ', parts);
    }
}
