using System.Buffers;
using System.Text.Json;
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

            var buffer = new ArrayBufferWriter<byte>(1024);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                ClusterStateJson.Write(writer, state);
            }

            http.Response.ContentType = "application/json; charset=utf-8";
            http.Response.ContentLength = buffer.WrittenCount;
            await http.Response.BodyWriter.WriteAsync(buffer.WrittenMemory, http.RequestAborted);
        });
        return app;
    }
}
