using System.Globalization;
using System.Text.Json;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.Actors.Management;

/// <summary>Writes a <see cref="CurrentClusterState"/> as the JSON of <c>GET /cluster/members</c>, shared by every host.</summary>
public static class ClusterStateJson
{
    /// <summary><c>{"self","leader","oldest","converged","members":[{"address","uid","status","roles","reachable","upNumber"}]}</c>.</summary>
    public static void Write(Utf8JsonWriter writer, CurrentClusterState state)
    {
        writer.WriteStartObject();
        WriteProperties(writer, state);
        writer.WriteEndObject();
    }

    /// <summary>The properties of <see cref="Write"/> into an object the caller opened (and closes), e.g. an event
    /// that adds its own <c>type</c>.</summary>
    public static void WriteProperties(Utf8JsonWriter writer, CurrentClusterState state)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(state);
        writer.WriteString("self", state.Self.Address.ToString());
        if (state.Leader is { } leader)
        {
            writer.WriteString("leader", leader.Address.ToString());
        }
        else
        {
            writer.WriteNull("leader");
        }

        // The oldest Up worker: where the shard coordinator lives (the sharding layer's placement rule, which is why
        // this document is written here, above both layers, and not in Membership).
        if (CoordinatorPlacement.Choose(state.Members) is { } oldest)
        {
            writer.WriteString("oldest", oldest.Address.ToString());
        }
        else
        {
            writer.WriteNull("oldest");
        }

        writer.WriteBoolean("converged", state.IsConverged);
        writer.WriteStartArray("members");
        foreach (var member in state.Members.OrderBy(m => m.UniqueAddress))
        {
            writer.WriteStartObject();
            writer.WriteString("address", member.Address.ToString());
            writer.WriteString("uid", member.UniqueAddress.Uid.ToString(CultureInfo.InvariantCulture));
            writer.WriteString("status", member.Status.ToString());
            ManagementJson.WriteStringOrNull(writer, "route", member.Route.Length > 0 ? member.Route : null);

            writer.WriteStartArray("roles");
            foreach (var role in member.Roles)
            {
                writer.WriteStringValue(role);
            }

            writer.WriteEndArray();
            writer.WriteBoolean("reachable", !state.Unreachable.Contains(member.UniqueAddress));
            writer.WriteNumber("upNumber", member.UpNumber);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
