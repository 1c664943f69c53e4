using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Hosting.Http;

/// <summary>The session cookie: <c>&lt;id&gt;.&lt;route&gt;</c>, HttpOnly, SameSite=Lax, Path=/, and Secure on HTTPS (or always,
/// by <c>session-cluster.sessions.cookie-secure</c>).</summary>
/// <remarks>
/// The route suffix lets an external sticky balancer pick a node, as mod_jk did with jvmRoute; lookups ignore it.
/// A malformed value is treated as no cookie: the client gets a new session, and nothing it sent is adopted.
/// </remarks>
public static class SessionCookie
{
    /// <summary>The id in the request's cookie, if it has a well-formed one, and the route it carried.</summary>
    public static (SessionId? Id, string? Route) Read(HttpRequest request, string cookieName)
    {
        if (!request.Cookies.TryGetValue(cookieName, out var value) || string.IsNullOrEmpty(value))
        {
            return (null, null);
        }

        var dot = value.IndexOf('.');
        var idText = dot < 0 ? value.AsSpan() : value.AsSpan(0, dot);
        if (!SessionId.TryParse(idText, out var id))
        {
            return (null, null);
        }

        // The route is only a routing hint that may be written back into the next cookie, so a route that is not a plain
        // token (what nodes ever put there) is dropped rather than echoed: the id alone still finds the session.
        var route = dot < 0 ? null : value[(dot + 1)..];
        return (id, route is not null && IsRouteToken(route) ? route : null);
    }

    /// <summary>What a node's route can be (<see cref="NodeRoute.Validate"/>): 1 to 64 letters, digits, '-' and '_'.</summary>
    public static bool IsRouteToken(string route) =>
        route.Length is > 0 and <= 64 && route.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>Whether the cookie gets the Secure flag on the response to <paramref name="request"/>.</summary>
    public static bool IsSecure(HttpRequest request, SessionSettings settings) => settings.CookieSecureAlways || request.IsHttps;

    public static void Write(HttpResponse response, string cookieName, SessionId id, string route) =>
        response.Cookies.Append(cookieName, $"{id}.{route}", new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Path = "/",
            IsEssential = true,
            Secure = IsSecure(response.HttpContext.Request, Settings(response)),
        });

    private static SessionSettings Settings(HttpResponse response) =>
        response.HttpContext.RequestServices.GetRequiredService<SessionCluster.Actors.Hosting.SessionNode>().Settings.Sessions;

    /// <summary>
    /// Writes the cookie when the request's did not already say <paramref name="id"/>.<paramref name="route"/>: a new
    /// session, or one whose cookie names another node (the jvmRoute rewrite of mod_jk's JvmRouteBinderValve).
    /// </summary>
    public static void Refresh(HttpResponse response, string cookieName, SessionId id, string route, SessionId? cookieId, string? cookieRoute)
    {
        if (id != cookieId || cookieRoute != route)
        {
            Write(response, cookieName, id, route);
        }
    }

    /// <summary>The route a response's cookie should carry: the session's home when the reply named it, else the route
    /// the cookie already had, else the node that answered.</summary>
    public static string RouteFor(string? home, string? cookieRoute, string servedBy) =>
        !string.IsNullOrEmpty(home) ? home : !string.IsNullOrEmpty(cookieRoute) ? cookieRoute : servedBy;

    /// <summary>Tells the browser to drop the cookie at once.</summary>
    public static void Expire(HttpResponse response, string cookieName) =>
        response.Cookies.Delete(cookieName, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Path = "/",
            Secure = IsSecure(response.HttpContext.Request, Settings(response)),
        });
}
