using System.Net;

namespace SessionLoad;

/// <summary>
/// The one way this tool makes an HTTP client: to a loopback address only (a benchmark must never send traffic
/// elsewhere), no proxy, no cookie container (cookies are set by hand per request), no redirects, and connections
/// that live for the whole run so that no request pays for a new connection.
/// </summary>
internal static class LoopbackHttp
{
    public static HttpClient Create(Uri url, int connections, TimeSpan timeout)
    {
        if (!IPAddress.TryParse(url.Host, out var address) || !IPAddress.IsLoopback(address))
        {
            throw new ArgumentException($"--url must name a loopback address (127.0.0.1), got '{url.Host}'");
        }

        return new HttpClient(new SocketsHttpHandler
        {
            UseCookies = false,
            UseProxy = false,
            AllowAutoRedirect = false,
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        })
        {
            BaseAddress = url,
            Timeout = timeout,
        };
    }
}
