using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SessionCluster.Actors.Hosting;
using SessionCluster.Hosting.Http;

namespace SessionCluster.Hosting.Endpoints;

/// <summary>Liveness (the process answers) and readiness (the node takes session requests).</summary>
public static class HealthEndpoints
{
    /// <summary>Maps <c>GET /health/live</c> and <c>/health/ready</c> (503 with Retry-After while the node starts or
    /// stops); returns their group.</summary>
    public static RouteGroupBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var app = endpoints.MapGroup(string.Empty);
        app.MapGet("/health/live", static () => Results.Text("{\"status\":\"live\"}", "application/json"));
        app.MapGet("/health/ready", static async (HttpContext http, SessionNode node) =>
        {
            if (!node.IsReady)
            {
                http.Response.Headers.RetryAfter = "1";
                await SessionJson.WriteError(http.Response, StatusCodes.Status503ServiceUnavailable, "The node is starting or stopping.");
                return;
            }

            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync($"{{\"status\":\"ready\",\"route\":\"{node.Route}\"}}");
        });
        return app;
    }
}
