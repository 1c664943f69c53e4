using System.Net;
using System.Text.RegularExpressions;
using SessionCluster.Web.Tests.Support;
using static SessionCluster.Web.Tests.Support.SessionRequests;

namespace SessionCluster.Web.Tests;

/// <summary><c>GET /</c>: the session as an HTML page with a form, in the spirit of Tomcat's SessionExample.</summary>
public sealed class ExamplePageTests
{
    [Fact]
    public async Task Page_NoCookie_CreatesSessionAndShowsIdOwnerAndForm()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();

        using var response = await client.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();
        var cookie = Regex.Match(response.SetCookie() ?? string.Empty, "^SESSIONID=([0-9a-f]{32})\\.localhost-5000; path=/; samesite=lax; httponly$");
        var id = cookie.Groups[1].Value;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.True(cookie.Success, $"Expected a new session cookie, got '{response.SetCookie()}'.");
        Assert.Equal(id, (await client.GetSession(SessionCookie(id)).ReadSession()).Id);
        Assert.Contains($"<tr><th>Session id</th><td>{id}</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><th>Owner</th><td>localhost-5000</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><th>Served by</th><td>localhost-5000</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><th>Created</th><td>2026-01-01T00:00:00.0000000Z</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><th>Max inactive</th><td>1800 s</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<form id=\"add\">", html, StringComparison.Ordinal);
        Assert.Contains("<input name=\"name\" required maxlength=\"256\">", html, StringComparison.Ordinal);
        Assert.Contains("<input name=\"value\" required>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_NoCookie_OnANodeAtMaxActiveSessions_Returns503SayingWhy_AndNoCookie()
    {
        await using var node = WebNodeFactory.With(("session-cluster:sessions:max-active-sessions", "1"));
        using var client = node.CreateRawClient();
        using (var first = await client.GetAsync("/"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using var refused = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("1", refused.Headers.RetryAfter?.ToString());
        Assert.Null(refused.SetCookie());
        Assert.Equal(
            "The session cannot be served right now (no new session: this node already serves its limit of 1 sessions (sessions.max-active-sessions); existing sessions are served); reload the page.",
            await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Page_WithSessionCookie_ShowsThatSessionAndItsAttributes()
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();
        var session = await browser.PutAttribute("cart", "{\"items\":[1,2]}").ReadSession();

        using var response = await browser.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.SetCookie());
        Assert.Contains($"<tr><th>Session id</th><td>{session.Id}</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains(
            "<tr><td>cart</td><td><code>{&quot;items&quot;:[1,2]}</code></td><td><button data-name=\"cart\" class=\"remove\">remove</button></td></tr>",
            html,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_AttributeNameAndValueWithMarkup_AreHtmlEncoded()
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();
        await browser.PutAttribute("<img src=x onerror=alert(1)>", "\"<script>alert(2)</script>\"");

        var html = await browser.GetStringAsync("/");

        Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert(2)", html, StringComparison.Ordinal);
        Assert.Contains("<tr><td>&lt;img src=x onerror=alert(1)&gt;</td><td><code>&quot;", html, StringComparison.Ordinal);
        Assert.Contains("<button data-name=\"&lt;img src=x onerror=alert(1)&gt;\" class=\"remove\">", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_CookieFromOtherRoute_ShowsSessionAndRewritesCookie()
    {
        await using var node = WebNodeFactory.With(("session-cluster:node:route", "node-b"));
        using var client = node.CreateRawClient();
        var session = await client.GetSession().ReadSession();

        using var response = await client.Send(HttpMethod.Get, "/", SessionCookie(session.Id, route: "node-a"));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(SessionSetCookie(session.Id, route: "node-b"), response.SetCookie());
        Assert.Contains($"<tr><th>Session id</th><td>{session.Id}</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><th>Owner</th><td>node-b</td></tr>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_InvalidatedSessionCookie_ShowsNewSession()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();
        var old = await client.GetSession().ReadSession();
        await client.Invalidate(SessionCookie(old.Id));

        using var response = await client.Send(HttpMethod.Get, "/", SessionCookie(old.Id));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(old.Id, html, StringComparison.Ordinal);
        Assert.NotEqual(SessionSetCookie(old.Id), response.SetCookie());
        Assert.Matches("^SESSIONID=[0-9a-f]{32}\\.localhost-5000; path=/; samesite=lax; httponly$", response.SetCookie());
    }
}
