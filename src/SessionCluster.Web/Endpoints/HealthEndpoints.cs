using SessionCluster.Actors.Hosting;
using SessionCluster.Web.Http;

namespace SessionCluster.Web.Endpoints;

/// <summary>Liveness (the process answers) and readiness (the node takes session requests).</summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
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
