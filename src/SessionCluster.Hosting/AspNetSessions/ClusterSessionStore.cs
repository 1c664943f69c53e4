using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Session;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SessionCluster.Actors.Hosting;

namespace SessionCluster.Hosting.AspNetSessions;

/// <summary>ASP.NET Core's <see cref="ISessionStore"/> over the cluster: each request's <c>HttpContext.Session</c> is a
/// <see cref="ClusterSession"/> on the session's entity, wherever in the cluster it lives.</summary>
internal sealed class ClusterSessionStore(
    SessionNode node,
    SessionKeyIds ids,
    SessionClusterOptions clusterOptions,
    IHttpContextAccessor httpContextAccessor,
    IDataProtectionProvider dataProtection,
    IOptions<SessionOptions> options,
    ILoggerFactory loggerFactory) : ISessionStore
{
    private readonly IDataProtector _protector = dataProtection.CreateProtector(SessionCookieRenewal.ProtectorPurpose);
    private readonly ILogger<ClusterSession> _logger = loggerFactory.CreateLogger<ClusterSession>();

    public ISession Create(string sessionKey, TimeSpan idleTimeout, TimeSpan ioTimeout, Func<bool> tryEstablishSession, bool isNewSessionKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionKey);
        ArgumentNullException.ThrowIfNull(tryEstablishSession);
        // Only a key from a cookie can turn out dead and need a new cookie; the callback must be registered before the
        // response starts, and the middleware calls this before the rest of the pipeline runs.
        var context = httpContextAccessor.HttpContext;
        var renewal = !isNewSessionKey && context is { Response.HasStarted: false }
            ? new SessionCookieRenewal(context, options.Value, _protector)
            : null;
        var route = context is not null && !string.IsNullOrEmpty(clusterOptions.RouteCookieName)
            ? new SessionRouteCookie(context, clusterOptions.RouteCookieName)
            : null;
        return new ClusterSession(node.Client, ids, sessionKey, idleTimeout, ioTimeout, tryEstablishSession, isNewSessionKey, renewal, _logger, route);
    }
}
