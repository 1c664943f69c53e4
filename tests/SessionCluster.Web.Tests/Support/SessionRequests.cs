using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace SessionCluster.Web.Tests.Support;

/// <summary>The requests of the session contract, with an explicit <c>Cookie</c> header when a test forges or replays one.</summary>
public static class SessionRequests
{
    /// <summary>The path of an attribute, with its name escaped as a browser would.</summary>
    public static string AttributePath(string name) => "/session/attributes/" + Uri.EscapeDataString(name);

    /// <summary>A JSON request body whose length is known (a Content-Length header is sent).</summary>
    public static HttpContent Json(string json)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    public static Task<HttpResponseMessage> Send(this HttpClient client, HttpMethod method, string path, string? cookie = null, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> GetSession(this HttpClient client, string? cookie = null) =>
        client.Send(HttpMethod.Get, "/session", cookie);

    public static Task<HttpResponseMessage> GetAttribute(this HttpClient client, string name, string? cookie = null) =>
        client.Send(HttpMethod.Get, AttributePath(name), cookie);

    public static Task<HttpResponseMessage> PutAttribute(this HttpClient client, string name, string json, string? cookie = null) =>
        client.Send(HttpMethod.Put, AttributePath(name), cookie, Json(json));

    public static Task<HttpResponseMessage> DeleteAttribute(this HttpClient client, string name, string? cookie = null) =>
        client.Send(HttpMethod.Delete, AttributePath(name), cookie);

    public static Task<HttpResponseMessage> Increment(this HttpClient client, string name, string? query = null, string? cookie = null) =>
        client.Send(HttpMethod.Post, AttributePath(name) + "/increment" + (query is null ? string.Empty : "?" + query), cookie);

    public static Task<HttpResponseMessage> Invalidate(this HttpClient client, string? cookie = null) =>
        client.Send(HttpMethod.Post, "/session/invalidate", cookie);

    /// <summary>Reads the session document of a 200 response.</summary>
    public static async Task<SessionDocument> ReadSession(this Task<HttpResponseMessage> request)
    {
        using var response = await request;
        return await SessionDocument.Read(response);
    }

    /// <summary>Status and body of a response, for exact comparison with <c>(HttpStatusCode.X, "...")</c>.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> ReadStatusAndBody(this Task<HttpResponseMessage> request)
    {
        using var response = await request;
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The one <c>Set-Cookie</c> header of a response, or null if it has none; fails if it has several.</summary>
    public static string? SetCookie(this HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? Assert.Single(values) : null;

    /// <summary>The <c>Set-Cookie</c> the node writes for a session: HttpOnly, SameSite=Lax, Path=/, no expiry.</summary>
    public static string SessionSetCookie(string id, string route = WebNodeFactory.DefaultRoute, string cookieName = "SESSIONID") =>
        $"{cookieName}={id}.{route}; path=/; samesite=lax; httponly";

    /// <summary>The <c>Cookie</c> header a browser sends back for a session.</summary>
    public static string SessionCookie(string id, string route = WebNodeFactory.DefaultRoute, string cookieName = "SESSIONID") =>
        $"{cookieName}={id}.{route}";
}
