using System.Diagnostics;

namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>
/// Speaks a node's HTTP session contract for many sessions at once: cookies are carried by hand, one per request, so a
/// single connection pool serves thousands of sessions and every response's <c>Set-Cookie</c> can be checked.
/// </summary>
/// <remarks>
/// The client's own deadline is well above the node's request timeout (5 s, after which the node answers 503 itself),
/// so a slow answer shows as the node's 503 and only a node that never answers shows as a client timeout.
/// </remarks>
internal sealed class SessionContractClient : IDisposable
{
    /// <summary>The cookie's name, <c>session-cluster.sessions.cookie-name</c> in hocon/reference.conf.</summary>
    public const string CookieName = "SESSIONID";

    private static readonly TimeSpan RequestDeadline = TimeSpan.FromSeconds(15);

    private readonly HttpClient _http;
    private readonly Uri _node;

    public SessionContractClient(NodeProcess node, int maxConnections)
    {
        _node = node.BaseAddress;
        _http = new HttpClient(new SocketsHttpHandler
        {
            UseCookies = false,
            MaxConnectionsPerServer = maxConnections,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        })
        {
            Timeout = RequestDeadline,
        };
    }

    /// <summary><c>GET /session</c> without a cookie: the node creates a session and sets its cookie.</summary>
    public Task<SessionCall> CreateAsync() => SendAsync(HttpMethod.Get, "/session", session: null);

    /// <summary><c>GET /session</c> with the session's cookie.</summary>
    public Task<SessionCall> GetAsync(TrackedSession session) => SendAsync(HttpMethod.Get, "/session", session);

    /// <summary><c>POST /session/attributes/{name}/increment?by=1</c>.</summary>
    public Task<SessionCall> IncrementAsync(TrackedSession session, string name) =>
        SendAsync(HttpMethod.Post, $"/session/attributes/{Uri.EscapeDataString(name)}/increment?by=1", session);

    /// <summary><c>GET /session/attributes/{name}</c>.</summary>
    public Task<SessionCall> ReadAttributeAsync(TrackedSession session, string name) =>
        SendAsync(HttpMethod.Get, $"/session/attributes/{Uri.EscapeDataString(name)}", session);

    /// <summary><c>PUT /session/attributes/{name}</c> with the JSON <paramref name="json"/> as its body; the answer is the session document.</summary>
    public Task<SessionCall> PutAttributeAsync(TrackedSession session, string name, string json) =>
        SendAsync(HttpMethod.Put, $"/session/attributes/{Uri.EscapeDataString(name)}", session, json);

    public void Dispose() => _http.Dispose();

    private async Task<SessionCall> SendAsync(HttpMethod method, string path, TrackedSession? session, string? json = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(_node, path));
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        if (session is not null)
        {
            request.Headers.Add("Cookie", $"{CookieName}={session.Cookie}");
        }

        var label = $"{method} {path}";
        var sent = DateTime.Now;
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            return new SessionCall(label, session?.Id, sent, Stopwatch.GetElapsedTime(started), (int)response.StatusCode, body, SessionCookie(response), null);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return new SessionCall(label, session?.Id, sent, Stopwatch.GetElapsedTime(started), null, "", null, $"{exception.GetType().Name}: {exception.Message}");
        }
    }

    /// <summary>The value of the response's <c>Set-Cookie: SESSIONID=...</c>, if it has one.</summary>
    private static string? SessionCookie(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Set-Cookie", out var cookies))
        {
            return null;
        }

        foreach (var cookie in cookies)
        {
            if (cookie.StartsWith(CookieName + "=", StringComparison.Ordinal))
            {
                return cookie[(CookieName.Length + 1)..].Split(';', 2)[0];
            }
        }

        return null;
    }
}
