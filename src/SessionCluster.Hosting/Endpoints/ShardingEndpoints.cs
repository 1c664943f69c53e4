using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Management;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Runtime;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;
using SessionCluster.Hosting.Http;

namespace SessionCluster.Hosting.Endpoints;

/// <summary>Where shards and sessions live, as this node knows it: <c>GET /cluster/shards</c>, <c>/cluster/shards/local</c>
/// and <c>/cluster/sessions/{id}</c>.</summary>
public static class ShardingEndpoints
{
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Maps the three reads, each behind <see cref="ManagementEndpointFilters.RequireManagementRead"/>;
    /// returns their group.</summary>
    public static RouteGroupBuilder MapShardingEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var app = endpoints.MapGroup(string.Empty);
        app.MapGet("/cluster/shards", async (HttpContext http, SessionNode node) =>
        {
            if (await AskRegion<ShardTable>(http, node, GetShardTable.Instance) is not { } table)
            {
                return;
            }

            await JsonResponse.Write(http.Response, writer =>
            {
                writer.WriteStartObject();
                WriteAddress(writer, "coordinator", table.Coordinator?.ToString());
                writer.WriteStartArray("shards");
                foreach (var shard in table.Shards)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("id", shard.Shard);
                    WriteAddress(writer, "home", shard.Home?.ToString());
                    writer.WriteNumber("epoch", shard.Epoch);
                    WriteAddresses(writer, "backups", shard.Backups);
                    if (shard.Sessions is { } sessions)
                    {
                        writer.WriteNumber("sessions", sessions);
                    }
                    else
                    {
                        writer.WriteNull("sessions");
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            });
        }).RequireManagementRead();

        app.MapGet("/cluster/shards/local", (HttpContext http, SessionNode node) =>
            JsonResponse.Write(http.Response, writer =>
            {
                writer.WriteStartObject();
                WriteAddress(writer, "node", node.IsReady ? node.Cluster.Self.Address.ToString() : null);
                writer.WriteBoolean("hostsShards", node.HostsShards);
                writer.WriteStartArray("shards");
                foreach (var (shard, serving, sessions) in node.LocalShards.Counts())
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("id", shard);
                    writer.WriteNumber("sessions", sessions);
                    writer.WriteBoolean("serving", serving);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                // Copies this node keeps of shards served elsewhere; "whole" once the home's full copy has arrived.
                writer.WriteStartArray("backups");
                foreach (var (shard, sessions, whole) in node.Replicas?.BackupCounts() ?? [])
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("id", shard);
                    writer.WriteNumber("sessions", sessions);
                    writer.WriteBoolean("whole", whole);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            })).RequireManagementRead();

        app.MapGet("/cluster/sessions/{id}", async (HttpContext http, SessionNode node, string id) =>
        {
            if (!SessionId.TryParse(id, out var sessionId))
            {
                await SessionJson.WriteError(http.Response, StatusCodes.Status400BadRequest, $"'{id}' is not a session id: expected 32 hex digits.");
                return;
            }

            if (await AskRegion<SessionLocation>(http, node, new LocateSession(sessionId)) is not { } location)
            {
                return;
            }

            await JsonResponse.Write(http.Response, writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("id", location.SessionId.ToString());
                writer.WriteNumber("shard", location.Shard);
                WriteAddress(writer, "home", location.Home?.ToString());
                writer.WriteNumber("epoch", location.Epoch);
                WriteAddresses(writer, "backups", location.Backups);
                writer.WriteEndObject();
            });
        }).RequireManagementRead();

        return app;
    }

    /// <summary>Asks the region; on failure writes 503 and returns null.</summary>
    private static async Task<T?> AskRegion<T>(HttpContext http, SessionNode node, object question)
        where T : class
    {
        try
        {
            return await node.Region.Ask<T>(question, QueryTimeout, http.RequestAborted);
        }
        catch (Exception exception) when (exception is AskTimeoutException or ActorTerminatedException or InvalidOperationException)
        {
            http.Response.Headers.RetryAfter = "1";
            await SessionJson.WriteError(http.Response, StatusCodes.Status503ServiceUnavailable, "The shard region is not running: " + exception.Message);
            return null;
        }
    }

    private static void WriteAddress(System.Text.Json.Utf8JsonWriter writer, string name, string? address)
    {
        if (address is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, address);
        }
    }

    private static void WriteAddresses(System.Text.Json.Utf8JsonWriter writer, string name, IEnumerable<NodeAddress> addresses)
    {
        writer.WriteStartArray(name);
        foreach (var address in addresses)
        {
            writer.WriteStringValue(address.ToString());
        }

        writer.WriteEndArray();
    }
}
