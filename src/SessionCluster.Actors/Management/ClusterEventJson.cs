using System.Text.Json;
using SessionCluster.Actors.Membership;

namespace SessionCluster.Actors.Management;

/// <summary>Writes what <c>GET /cluster/events</c> streams: a <c>CurrentClusterState</c> snapshot (the members document
/// with a <c>type</c>), then one <c>{"type","address","route","status","at"}</c> object per membership event.</summary>
public static class ClusterEventJson
{
    /// <summary>One snapshot or event as JSON; <paramref name="at"/> is when this node observed it.</summary>
    public static void Write(Utf8JsonWriter writer, object message, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        switch (message)
        {
            case CurrentClusterState state:
                writer.WriteString("type", "CurrentClusterState");
                ClusterStateJson.WriteProperties(writer, state);
                break;
            case LeaderChanged leader:
                writer.WriteString("type", nameof(LeaderChanged));
                ManagementJson.WriteStringOrNull(writer, "address", leader.Leader?.Address.ToString());
                writer.WriteNull("route");
                writer.WriteNull("status");
                break;
            case MemberEvent { Member: var member }:
                WriteMember(writer, message.GetType().Name, member);
                break;
            case UnreachableMember unreachable:
                WriteMember(writer, nameof(UnreachableMember), unreachable.Member);
                break;
            case ReachableMember reachable:
                WriteMember(writer, nameof(ReachableMember), reachable.Member);
                break;
            default:
                writer.WriteString("type", message.GetType().Name);
                writer.WriteNull("address");
                writer.WriteNull("route");
                writer.WriteNull("status");
                break;
        }

        writer.WriteString("at", at.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        writer.WriteEndObject();
    }

    private static void WriteMember(Utf8JsonWriter writer, string type, Member member)
    {
        writer.WriteString("type", type);
        writer.WriteString("address", member.Address.ToString());
        ManagementJson.WriteStringOrNull(writer, "route", member.Route.Length > 0 ? member.Route : null);
        writer.WriteString("status", member.Status.ToString());
    }
}
