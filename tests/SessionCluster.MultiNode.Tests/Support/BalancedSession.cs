using System.Net.Http.Json;
using System.Text.Json;

namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>One browser's session through a balancer: it sends its <c>SESSIONID</c> cookie itself and takes whatever
/// cookie a response sets, so a spec sees each route rewrite.</summary>
internal sealed class BalancedSession(HttpClient http)
{
    public const string CookieName = "SESSIONID";

    /// <summary>The cookie value, <c>&lt;id&gt;.&lt;route&gt;</c>; null before the first response.</summary>
    public string? Cookie { get; private set; }

    public string Id => Cookie?.Split('.', 2)[0] ?? throw new InvalidOperationException("No session yet.");

    /// <summary>The route suffix the balancer keys on.</summary>
    public string Route => Cookie?.Split('.', 2)[1] ?? throw new InvalidOperationException("No session yet.");

    /// <summary>Sends a request and returns its status and JSON body (null when not JSON); takes a new cookie if set.</summary>
    public async Task<(int Status, JsonElement? Body, bool CookieSet)> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (Cookie is not null)
        {
            request.Headers.Add("Cookie", $"{CookieName}={Cookie}");
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        var set = false;
        if (response.Headers.TryGetValues("Set-Cookie", out var cookies))
        {
            foreach (var cookie in cookies.Where(c => c.StartsWith(CookieName + "=", StringComparison.Ordinal)))
            {
                Cookie = cookie[(CookieName.Length + 1)..].Split(';', 2)[0];
                set = true;
            }
        }

        JsonElement? body = response.Content.Headers.ContentType?.MediaType == "application/json"
            ? await response.Content.ReadFromJsonAsync<JsonElement>()
            : null;
        return ((int)response.StatusCode, body, set);
    }
}
