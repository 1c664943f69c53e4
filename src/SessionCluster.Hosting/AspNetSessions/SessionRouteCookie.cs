using Microsoft.AspNetCore.Http;

namespace SessionCluster.Hosting.AspNetSessions;

/// <summary>A second cookie beside the session middleware's, holding only the route of the node that is the
/// session's home (<c>SESSIONROUTE=cart-2</c>), so an external sticky balancer can send each request to the node that
/// serves it without a hop, as the <c>.route</c> suffix of <c>SESSIONID</c> does for the HTTP contract.</summary>
/// <remarks>The middleware's own cookie is an opaque data-protected key and cannot carry a route. This one names no
/// session and proves nothing: a wrong or forged route only costs a hop (every node serves every session). It is set
/// when a reply names a home other than the request's cookie says, while the response has not started; after a
/// failover the survivor's reply rewrites it, so the balancer follows the session.</remarks>
internal sealed class SessionRouteCookie(HttpContext context, string name)
{
    private string? _sent;

    /// <summary>Sends <paramref name="home"/> as the route if the browser does not hold it already.</summary>
    public void Update(string home)
    {
        if (string.IsNullOrEmpty(home) || home == _sent || context.Response.HasStarted ||
            (_sent is null && context.Request.Cookies.TryGetValue(name, out var held) && held == home))
        {
            return;
        }

        context.Response.Cookies.Append(name, home, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true });
        _sent = home;
    }
}
