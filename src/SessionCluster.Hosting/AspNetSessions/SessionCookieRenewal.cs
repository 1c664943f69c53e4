using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Session;
using Microsoft.Net.Http.Headers;

namespace SessionCluster.Hosting.AspNetSessions;

/// <summary>Issues a new session-middleware cookie when a request's cookie names a session that no longer exists, the
/// way the middleware issues one for a request without a cookie.</summary>
/// <remarks>
/// The middleware itself only writes a cookie for a key it minted in this request; for a key from a cookie it never
/// writes one, so a client holding the key of an expired session would keep it forever. The store does not adopt such
/// a key (see <see cref="SessionKeyIds"/>): it mints a new key and writes it here, in the middleware's own format
/// (its <c>"SessionMiddleware"</c> protector, base64 without padding), with the app's <see cref="SessionOptions.Cookie"/>
/// settings, once the session is established (something was written) and before the response starts, like the
/// middleware. Tests read the cookie back through the real middleware, so a change of format in ASP.NET Core fails them.
/// </remarks>
internal sealed class SessionCookieRenewal
{
    /// <summary>The purpose the session middleware protects its cookie under (its type's name).</summary>
    public const string ProtectorPurpose = "SessionMiddleware";

    private readonly HttpContext _context;
    private readonly SessionOptions _options;
    private readonly IDataProtector _protector;
    private string? _key;
    private bool _establish;

    public SessionCookieRenewal(HttpContext context, SessionOptions options, IDataProtector protector)
    {
        _context = context;
        _options = options;
        _protector = protector;
        context.Response.OnStarting(static state => ((SessionCookieRenewal)state).OnStarting(), this);
    }

    /// <summary>From now on the response should carry <paramref name="key"/> once the session is established.</summary>
    public void Renew(string key) => _key = key;

    /// <summary>As the middleware's establisher: true if the new cookie can still be (or already is) on its way.</summary>
    public bool TryEstablish() => _key is not null && (_establish |= !_context.Response.HasStarted);

    /// <summary>The cookie value the middleware would write for <paramref name="key"/>.</summary>
    public static string Protect(IDataProtector protector, string key) =>
        Convert.ToBase64String(protector.Protect(Encoding.UTF8.GetBytes(key))).TrimEnd('=');

    private Task OnStarting()
    {
        if (_establish && _key is { } key)
        {
            _context.Response.Cookies.Append(_options.Cookie.Name!, Protect(_protector, key), _options.Cookie.Build(_context));
            // As the middleware does: a response that sets a session cookie must not be cached.
            _context.Response.Headers.CacheControl = "no-cache,no-store";
            _context.Response.Headers.Pragma = "no-cache";
            _context.Response.Headers[HeaderNames.Expires] = "-1";
        }

        return Task.CompletedTask;
    }
}
