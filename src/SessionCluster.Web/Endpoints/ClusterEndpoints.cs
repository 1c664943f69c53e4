using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Runtime;
using SessionCluster.Web.Http;

namespace SessionCluster.Web.Endpoints;

/// <summary>The cluster as this node sees it: <c>GET /cluster/members</c>.</summary>
public static class ClusterEndpoints
{
    public static IEndpointRouteBuilder MapClusterEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/cluster/members", async (HttpContext http, SessionNode node) =>
        {
            CurrentClusterState state;
            try
            {
                state = await node.Cluster.GetStateAsync(http.RequestAborted);
            }
            catch (Exception exception) when (exception is AskTimeoutException or ActorTerminatedException or InvalidOperationException)
            {
                http.Response.Headers.RetryAfter = "1";
                await SessionJson.WriteError(http.Response, StatusCodes.Status503ServiceUnavailable, "The cluster node is not running: " + exception.Message);
                return;
            }

            await JsonResponse.Write(http.Response, writer => ClusterStateJson.Write(writer, state));
        });
        return app;
    }
}
