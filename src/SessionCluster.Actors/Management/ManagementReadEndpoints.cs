using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Runtime;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.Actors.Management;

/// <summary>The management API's reads that every kind of node answers: <c>GET /cluster/members</c>,
/// <c>/cluster/node</c>, <c>/cluster/regions</c> and <c>/cluster/events</c> (server-sent events).</summary>
public static class ManagementReadEndpoints
{
    /// <summary>How often an idle event stream gets a comment line, so that proxies do not time it out.</summary>
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapManagementReads(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/cluster/members", async (HttpContext http, NodeManagement management) =>
        {
            CurrentClusterState state;
            try
            {
                state = await management.Cluster.GetStateAsync(http.RequestAborted);
            }
            catch (Exception exception) when (exception is AskTimeoutException or ActorTerminatedException or InvalidOperationException)
            {
                await ManagementJson.WriteOutcome(http.Response, new ManagementOutcome(503, "The cluster node is not running: " + exception.Message));
                return;
            }

            await ManagementJson.Write(http.Response, writer => ClusterStateJson.Write(writer, state));
        }).RequireManagementRead();

        app.MapGet("/cluster/node", (HttpContext http, NodeManagement management) => WriteNode(http, management)).RequireManagementRead();
        app.MapGet("/cluster/regions", WriteRegions).RequireManagementRead();
        app.MapGet("/cluster/events", StreamEvents).RequireManagementRead();
        return app;
    }

    private static Task WriteNode(HttpContext http, NodeManagement management)
    {
        string? address = null;
        try
        {
            address = management.Cluster.Self.Address.ToString();
        }
        catch (InvalidOperationException)
        {
            // Not bound yet: the address is null until the transport has started.
        }

        var counts = management.Counts();
        using var process = Process.GetCurrentProcess();
        var threads = process.Threads.Count;
        return ManagementJson.Write(http.Response, writer =>
        {
            writer.WriteStartObject();
            ManagementJson.WriteStringOrNull(writer, "address", address);
            ManagementJson.WriteStringOrNull(writer, "route", management.Route);
            writer.WriteStartArray("roles");
            foreach (var role in management.Settings.Node.Roles)
            {
                writer.WriteStringValue(role);
            }

            writer.WriteEndArray();
            writer.WriteNumber("uptimeSeconds", Math.Round(management.Uptime.TotalSeconds, 3));
            writer.WriteNumber("sessions", counts.Sessions);
            writer.WriteNumber("shards", counts.Shards);
            writer.WriteNumber("backups", counts.Backups);
            writer.WriteNumber("requestsTotal", management.RequestsTotal);
            writer.WriteNumber("gcHeapBytes", GC.GetGCMemoryInfo().HeapSizeBytes);
            writer.WriteNumber("workingSetBytes", Environment.WorkingSet);
            writer.WriteNumber("threads", threads);
            writer.WriteEndObject();
        });
    }

    private static async Task WriteRegions(HttpContext http, NodeManagement management)
    {
        var (outcome, coordinator, regions) = await management.GetRegionsAsync(http.RequestAborted);
        if (!outcome.Succeeded)
        {
            await ManagementJson.WriteOutcome(http.Response, outcome);
            return;
        }

        // Session counts per home come from this node's shard table (each home counts its own); a node without a
        // region (the Lighthouse) shows none.
        Dictionary<string, int>? sessions = null;
        if (management.Region is { } region)
        {
            try
            {
                var table = await region.Ask<ShardTable>(GetShardTable.Instance, QueryTimeout, http.RequestAborted);
                sessions = [];
                foreach (var shard in table.Shards)
                {
                    if (shard.Home is { } home && shard.Sessions is { } count)
                    {
                        sessions[home.ToString()] = sessions.GetValueOrDefault(home.ToString()) + count;
                    }
                }
            }
            catch (Exception exception) when (exception is AskTimeoutException or ActorTerminatedException)
            {
                sessions = null;
            }
        }

        await ManagementJson.Write(http.Response, writer =>
        {
            writer.WriteStartObject();
            ManagementJson.WriteStringOrNull(writer, "coordinator", coordinator?.ToString());
            writer.WriteStartArray("regions");
            foreach (var entry in regions)
            {
                writer.WriteStartObject();
                writer.WriteString("address", entry.Region.ToString());
                writer.WriteBoolean("hostsShards", entry.HostsShards);
                writer.WriteNumber("weight", entry.Weight);
                writer.WriteBoolean("draining", entry.Draining);
                writer.WriteNumber("shards", entry.Shards);
                writer.WriteNumber("backups", entry.Backups);
                if (sessions is null)
                {
                    writer.WriteNull("sessions");
                }
                else
                {
                    writer.WriteNumber("sessions", sessions.GetValueOrDefault(entry.Region.ToString()));
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    /// <summary>Server-sent events: the snapshot, then each event as it is published, a keep-alive comment when idle;
    /// ends when the client goes, the node stops, or the reader falls too far behind.</summary>
    private static async Task StreamEvents(HttpContext http, NodeManagement management, IHostApplicationLifetime lifetime)
    {
        // The system clock, not the node's: a test's manual session clock must not hold keep-alives or timestamps still.
        var time = TimeProvider.System;
        ClusterEventSubscription subscription;
        try
        {
            subscription = management.Cluster.SubscribeEvents();
        }
        catch (InvalidOperationException exception)
        {
            await ManagementJson.WriteOutcome(http.Response, new ManagementOutcome(503, "The cluster node is not running: " + exception.Message));
            return;
        }

        await using (subscription)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
            var cancel = stop.Token;
            http.Response.StatusCode = StatusCodes.Status200OK;
            http.Response.ContentType = "text/event-stream; charset=utf-8";
            http.Response.Headers.CacheControl = "no-cache";
            // Tells nginx not to buffer the stream (a front proxy would otherwise hold events back).
            http.Response.Headers["X-Accel-Buffering"] = "no";
            await http.Response.Body.FlushAsync(cancel);

            using var keepAlive = new PeriodicTimer(KeepAliveInterval, time);
            // One wait of each kind outstanding at a time: a timer or channel wait left pending is awaited again.
            Task<bool>? tick = null;
            Task<bool>? read = null;
            try
            {
                while (true)
                {
                    tick ??= keepAlive.WaitForNextTickAsync(cancel).AsTask();
                    read ??= subscription.Reader.WaitToReadAsync(cancel).AsTask();
                    if (await Task.WhenAny(read, tick) == tick)
                    {
                        await tick;
                        tick = null;
                        await http.Response.WriteAsync(": keep-alive\n\n", cancel);
                        await http.Response.Body.FlushAsync(cancel);
                        continue;
                    }

                    var more = await read;
                    read = null;
                    if (!more)
                    {
                        return;
                    }

                    var text = new StringBuilder();
                    while (subscription.Reader.TryRead(out var message))
                    {
                        var json = ManagementJson.Serialize(writer => ClusterEventJson.Write(writer, message, time.GetUtcNow()));
                        text.Append("data: ").Append(Encoding.UTF8.GetString(json.Span)).Append("\n\n");
                    }

                    await http.Response.WriteAsync(text.ToString(), cancel);
                    await http.Response.Body.FlushAsync(cancel);
                }
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                // The client went away or the node is stopping: the stream simply ends.
            }
        }
    }
}
