using Microsoft.AspNetCore.Http;
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
    /// <remarks>The usual header, one plain cookie of that name, is read in place; anything else goes through ASP.NET
    /// Core's cookie parser, whose rules (quotes, escapes, repeats) then decide. Parsing the whole header into
    /// <see cref="HttpRequest.Cookies"/> cost every request about 0.4 KB for one cookie.</remarks>
    public static (SessionId? Id, string? Route) Read(HttpRequest request, string cookieName)
    {
        var header = request.Headers.Cookie;
        if (header.Count == 0)
        {
            return (null, null);
        }

        if (header.Count == 1 && FindPlainValue(header[0] ?? string.Empty, cookieName) is var (start, length))
        {
            return length < 0 ? (null, null) : FromValue(header[0].AsSpan(start, length));
        }

        return request.Cookies.TryGetValue(cookieName, out var value) ? FromValue(value) : (null, null);
    }

    /// <summary>Where the value of the one cookie named <paramref name="cookieName"/> (in any case, as the parser matches
    /// names) is, if it is plain (letters, digits, '.', '-', '_'); length -1: the header has no such cookie; null: ask
    /// the full parser.</summary>
    private static (int Start, int Length)? FindPlainValue(string header, string cookieName)
    {
        var found = -1;
        for (var at = header.IndexOf(cookieName, StringComparison.OrdinalIgnoreCase); at >= 0; at = header.IndexOf(cookieName, at + 1, StringComparison.OrdinalIgnoreCase))
        {
            var afterName = at + cookieName.Length;
            var startsPair = at == 0 || header[at - 1] == ';' || (header[at - 1] == ' ' && (at == 1 || header[at - 2] == ';'));
            if (!startsPair || afterName >= header.Length || header[afterName] != '=')
            {
                return null;   // the name inside something else, or spaced oddly: not the plain case
            }

            if (found >= 0)
            {
                return null;   // twice: the parser's rule picks one
            }

            found = afterName + 1;
        }

        if (found < 0)
        {
            return (0, -1);
        }

        var end = found;
        while (end < header.Length && header[end] != ';')
        {
            var c = header[end];
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '-' or '_'))
            {
                return null;
            }

            end++;
        }

        return (found, end - found);
    }

    private static (SessionId? Id, string? Route) FromValue(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return (null, null);
        }

        var dot = value.IndexOf('.');
        if (!SessionId.TryParse(dot < 0 ? value : value[..dot], out var id))
        {
            return (null, null);
        }

        // The route is only a routing hint that may be written back into the next cookie, so a route that is not a plain
        // token (what nodes ever put there) is dropped rather than echoed: the id alone still finds the session.
        if (dot < 0)
        {
            return (id, null);
        }

        var route = value[(dot + 1)..];
        return (id, IsRouteToken(route) ? route.ToString() : null);
    }

    /// <summary>What a node's route can be (<see cref="NodeRoute.Validate"/>): 1 to 64 letters, digits, '-' and '_'.</summary>
    public static bool IsRouteToken(ReadOnlySpan<char> route)
    {
        if (route.Length is 0 or > 64)
        {
            return false;
        }

        foreach (var c in route)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether the cookie gets the Secure flag on the response to <paramref name="request"/>.</summary>
    public static bool IsSecure(HttpRequest request, SessionSettings settings) => settings.CookieSecureAlways || request.IsHttps;

    /// <summary>Sets the cookie <c>&lt;id&gt;.&lt;route&gt;</c> under <see cref="SessionSettings.CookieName"/>.</summary>
    public static void Write(HttpResponse response, SessionSettings settings, SessionId id, string route) =>
        response.Cookies.Append(settings.CookieName, $"{id}.{route}", new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Path = "/",
            IsEssential = true,
            Secure = IsSecure(response.HttpContext.Request, settings),
        });

    /// <summary>
    /// Writes the cookie when the request's did not already say <paramref name="id"/>.<paramref name="route"/>: a new
    /// session, or one whose cookie names another node (the jvmRoute rewrite of mod_jk's JvmRouteBinderValve).
    /// </summary>
    public static void Refresh(HttpResponse response, SessionSettings settings, SessionId id, string route, SessionId? cookieId, string? cookieRoute)
    {
        if (id != cookieId || cookieRoute != route)
        {
            Write(response, settings, id, route);
        }
    }

    /// <summary>The route a response's cookie should carry: the session's home when the reply named it, else the route
    /// the cookie already had, else the node that answered.</summary>
    public static string RouteFor(string? home, string? cookieRoute, string servedBy) =>
        !string.IsNullOrEmpty(home) ? home : !string.IsNullOrEmpty(cookieRoute) ? cookieRoute : servedBy;

    /// <summary>Tells the browser to drop the cookie at once.</summary>
    public static void Expire(HttpResponse response, SessionSettings settings) =>
        response.Cookies.Delete(settings.CookieName, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Path = "/",
            Secure = IsSecure(response.HttpContext.Request, settings),
        });
}
