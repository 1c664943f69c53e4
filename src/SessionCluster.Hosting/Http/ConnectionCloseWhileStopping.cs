using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using SessionCluster.Actors.Hosting;

namespace SessionCluster.Hosting.Http;

/// <summary>Puts first in the app's pipeline a middleware that, once the node has begun to shut down
/// (<see cref="SessionNode.IsStopping"/>), marks every HTTP/1.x response <c>Connection: close</c>.</summary>
/// <remarks>Kestrel closes a kept-alive connection it stops with no request on it, and a balancer may have sent one on
/// it that moment: it cannot tell whether it was processed, so it does not retry a POST and its client gets a 502. A
/// connection closed by the server after a response carries no such race, so during the shutdown delay a balancer's
/// connections to the node are closed one response at a time, and its later requests open new connections, which fail
/// to connect (and are retried elsewhere) once the node stops listening.</remarks>
internal sealed class ConnectionCloseWhileStopping : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        // Resolved at the first request, not here: resolving builds the node, and a bad setting must fail the host's
        // start (where Program reports it in one line), not the pipeline's construction.
        SessionNode? node = null;
        app.Use((HttpContext http, RequestDelegate rest) =>
        {
            if ((node ??= http.RequestServices.GetRequiredService<SessionNode>()).IsStopping &&
                (HttpProtocol.IsHttp11(http.Request.Protocol) || HttpProtocol.IsHttp10(http.Request.Protocol)))
            {
                http.Response.Headers.Connection = "close";
            }

            return rest(http);
        });
        next(app);
    };
}
