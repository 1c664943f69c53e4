using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SessionCluster.Actors.Dashboard;
using SessionCluster.Actors.Diagnostics;
using SessionCluster.Actors.Management;
using SessionCluster.Hosting.Endpoints;

namespace SessionCluster.Hosting;

/// <summary><c>app.MapSessionClusterEndpoints()</c>: the session contract, health, the management API, <c>/metrics</c>
/// and <c>/dashboard</c> of a SessionCluster node, in any ASP.NET Core app that called <c>AddSessionCluster</c>.</summary>
public static class SessionClusterEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps every endpoint a <c>SessionCluster.Web</c> node serves: <c>/session…</c> (<see cref="SessionEndpoints"/>),
    /// <c>/health/live</c> and <c>/health/ready</c> (<see cref="HealthEndpoints"/>), the <c>/cluster/…</c> reads and
    /// actions (<see cref="ClusterEndpoints"/>), <c>/metrics</c> and <c>/dashboard</c>. Reads are behind
    /// <see cref="ManagementEndpointFilters.RequireManagementRead"/> and actions need the management token, as on
    /// every node. Returns the group holding them all, for the app's own conventions (<c>RequireHost</c>, a rate limiter…).
    /// </summary>
    /// <remarks>Requests are counted and measured by the middleware <c>AddSessionCluster</c> puts first in the pipeline
    /// (<see cref="Http.SessionRequestMetrics"/>), so no <c>app.Use…</c> line is needed. Map at the root: the dashboard
    /// page fetches <c>/cluster/…</c> and <c>/dashboard/summary</c> by absolute path, and the session cookie has
    /// <c>Path=/</c>. Each part can also be mapped alone (<see cref="SessionEndpoints.MapSessionEndpoints"/>,
    /// <see cref="HealthEndpoints.MapHealthEndpoints"/>, <see cref="ClusterEndpoints.MapClusterEndpoints"/>,
    /// <see cref="MetricsEndpoints.MapSessionClusterMetrics"/>, <see cref="DashboardEndpoints.MapSessionClusterDashboard"/>).</remarks>
    /// <exception cref="InvalidOperationException"><c>AddSessionCluster</c> was not called.</exception>
    public static RouteGroupBuilder MapSessionClusterEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetService<SessionClusterOptions>() is null)
        {
            throw new InvalidOperationException(
                "MapSessionClusterEndpoints() needs the node: call builder.AddSessionCluster() (or services.AddSessionCluster()) before building the app.");
        }

        var node = endpoints.MapGroup(string.Empty);
        node.MapSessionEndpoints();
        node.MapHealthEndpoints();
        node.MapClusterEndpoints();
        node.MapSessionClusterMetrics().RequireManagementRead();
        node.MapSessionClusterDashboard();
        return node;
    }
}
