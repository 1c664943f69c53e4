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
        var management = app.ApplicationServices.GetRequiredService<NodeManagement>();
        return app.Use((context, next) =>
        {
            management.CountRequest();
            return next(context);
        });
    }
}
