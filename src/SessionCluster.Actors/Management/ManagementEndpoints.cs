using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace SessionCluster.Actors.Management;

/// <summary>Maps the node-independent part of the management API (<see cref="ManagementReadEndpoints"/> and
/// <see cref="ManagementActionEndpoints"/>) for any host that registers a <see cref="NodeManagement"/>.</summary>
public static class ManagementEndpoints
{
    /// <summary>Maps every read and action every kind of node answers.</summary>
    public static IEndpointRouteBuilder MapManagementEndpoints(this IEndpointRouteBuilder app) =>
        app.MapManagementReads().MapManagementActions();

    /// <summary>Counts every HTTP request for <c>requestsTotal</c> of <c>GET /cluster/node</c>.</summary>
    public static IApplicationBuilder UseManagementRequestCount(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Resolved at the first request, not here: resolving builds the node, and a bad setting must fail the host's
        // start (where Program reports it in one line), not the pipeline's construction.
        NodeManagement? management = null;
        return app.Use((context, next) =>
        {
            (management ??= context.RequestServices.GetRequiredService<NodeManagement>()).CountRequest();
            return next(context);
        });
    }
}
