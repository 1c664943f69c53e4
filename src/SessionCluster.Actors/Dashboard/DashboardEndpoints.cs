using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SessionCluster.Actors.Diagnostics;
using SessionCluster.Actors.Management;

namespace SessionCluster.Actors.Dashboard;

/// <summary><c>GET /dashboard</c>: a live page of the cluster (members, shards per worker, sessions, requests/s, hand-offs
/// and failovers), plain HTML, CSS and JavaScript embedded in this assembly, served by any node; and
/// <c>GET /dashboard/summary</c>, this node's counters for it as JSON.</summary>
/// <remarks>The page polls this node's <c>/cluster/members</c>, <c>/cluster/shards</c> and <c>/dashboard/summary</c>
/// about once a second. Nothing comes from elsewhere (no CDN), which the Content-Security-Policy also enforces.</remarks>
public static class DashboardEndpoints
{
    private const string Csp = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly DateTimeOffset ProcessStarted = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    /// <summary>Maps the page, its two assets and the summary; needs <see cref="MetricsEndpoints.AddSessionClusterMetrics"/>.
    /// The summary is a management read (<see cref="ManagementEndpointFilters.RequireManagementRead"/>); the page and its
    /// assets hold no data and need no token (with protect-reads on, the page asks for it and sends it with each read),
    /// but like the rest of the management API answer only on its port when it has one. Returns the group's builder,
    /// so a host can add its own access rule on top.</summary>
    public static IEndpointConventionBuilder MapSessionClusterDashboard(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var collector = app.ServiceProvider.GetService<PrometheusCollector>()
            ?? throw new InvalidOperationException("Call services.AddSessionClusterMetrics() before mapping the dashboard.");
        var dashboard = app.MapGroup("/dashboard");
        MapAsset(dashboard, "", "dashboard.html", "text/html; charset=utf-8").RequireManagementPort();
        MapAsset(dashboard, "/dashboard.css", "dashboard.css", "text/css; charset=utf-8").RequireManagementPort();
        MapAsset(dashboard, "/dashboard.js", "dashboard.js", "text/javascript; charset=utf-8").RequireManagementPort();
        dashboard.MapGet("/summary", async (HttpContext http) =>
        {
            var buffer = new ArrayBufferWriter<byte>(512);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                WriteSummary(writer, collector, DateTimeOffset.UtcNow);
            }

            http.Response.ContentType = "application/json; charset=utf-8";
            http.Response.Headers.CacheControl = "no-store";
            await http.Response.BodyWriter.WriteAsync(buffer.WrittenMemory, http.RequestAborted);
        }).RequireManagementRead();
        return dashboard;
    }

    /// <summary>This node's counters since it started: what the page turns into rates and totals.</summary>
    internal static void WriteSummary(Utf8JsonWriter writer, PrometheusCollector collector, DateTimeOffset now)
    {
        writer.WriteStartObject();
        writer.WriteNumber("requestsTotal", collector.Total("sessioncluster.http.requests"));
        writer.WriteNumber("handoffs", collector.Total("sessioncluster.shard.handoffs"));
        writer.WriteNumber("failovers", collector.Total("sessioncluster.shard.failovers"));
        writer.WriteNumber("gossipMessages", collector.Total("sessioncluster.gossip.messages"));
        writer.WriteNumber("gcHeapBytes", GC.GetTotalMemory(forceFullCollection: false));
        writer.WriteNumber("workingSetBytes", Environment.WorkingSet);
        writer.WriteNumber("uptimeSeconds", Math.Round((now - ProcessStarted).TotalSeconds, 1));
        writer.WriteString("at", now);
        writer.WriteEndObject();
    }

    private static IEndpointConventionBuilder MapAsset(IEndpointRouteBuilder app, string path, string resource, string contentType)
    {
        var body = Read(resource);
        return app.MapGet(path, async (HttpContext http) =>
        {
            http.Response.ContentType = contentType;
            http.Response.ContentLength = body.Length;
            // Served with the node, so always current: a node upgraded in place must not show yesterday's script.
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.Headers.ContentSecurityPolicy = Csp;
            http.Response.Headers.XContentTypeOptions = "nosniff";
            await http.Response.Body.WriteAsync(body, http.RequestAborted);
        });
    }

    private static byte[] Read(string resource)
    {
        using var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream("dashboard/" + resource)
            ?? throw new InvalidOperationException($"The dashboard asset '{resource}' is not embedded in {typeof(DashboardEndpoints).Assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
