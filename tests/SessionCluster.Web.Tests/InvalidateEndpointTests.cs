using System.Net;
using Microsoft.Net.Http.Headers;
using SessionCluster.TestKit;
using SessionCluster.Web.Tests.Support;
using static SessionCluster.Web.Tests.Support.SessionRequests;

namespace SessionCluster.Web.Tests;

/// <summary><c>POST /session/invalidate</c>: the session ends for good and the browser is told to drop its cookie.</summary>
public sealed class InvalidateEndpointTests
{
    private const string ExpiredCookie = "SESSIONID=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/; samesite=lax; httponly";

    [Fact]
    public async Task Invalidate_LiveSession_Returns204AndExpiresCookie()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();
        var session = await client.GetSession().ReadSession();

        using var response = await client.Invalidate(SessionCookie(session.Id));
        var setCookie = SetCookieHeaderValue.Parse(response.SetCookie());

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(ExpiredCookie, response.SetCookie());
        Assert.Equal("SESSIONID", setCookie.Name.Value);
        Assert.True(setCookie.Expires < node.Clock.GetUtcNow(), $"The cookie should expire in the past, but expires {setCookie.Expires}.");
        Assert.Equal(("/", SameSiteMode.Lax, true), (setCookie.Path.Value, setCookie.SameSite, setCookie.HttpOnly));
    }

    [Fact]
    public async Task Invalidate_ThenOldCookie_GetsNewDifferentSessionWithoutOldAttributes()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();
        var old = await client.PutAttribute("user", "\"alice\"").ReadSession();
        var oldCookie = SessionCookie(old.Id);
        await client.Invalidate(oldCookie);

        using var response = await client.GetSession(oldCookie);
        var fresh = await SessionDocument.Read(response);

        Assert.NotEqual(old.Id, fresh.Id);
        Assert.Equal("{}", fresh.Attributes);
        Assert.Equal(SessionSetCookie(fresh.Id), response.SetCookie());
    }

    [Fact]
    public async Task Invalidate_ThenOldCookieReadsAttribute_Returns404FromNewSession()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();
        var old = await client.PutAttribute("user", "\"alice\"").ReadSession();
        var oldCookie = SessionCookie(old.Id);
        await client.Invalidate(oldCookie);

        using var response = await client.GetAttribute("user", oldCookie);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("{\"error\":\"The session has no attribute 'user'.\",\"status\":404}", await response.Content.ReadAsStringAsync());
        Assert.NotEqual(SessionSetCookie(old.Id), response.SetCookie());
        Assert.Matches("^SESSIONID=[0-9a-f]{32}\\.localhost-5000; path=/; samesite=lax; httponly$", response.SetCookie());
    }

    [Fact]
    public async Task Invalidate_OldIdReplayedManyTimes_NeverComesBack()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();
        var old = await client.GetSession().ReadSession();
        var oldCookie = SessionCookie(old.Id);
        await client.Invalidate(oldCookie);

        var replays = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.GetSession(oldCookie).ReadSession()));

        Assert.DoesNotContain(old.Id, replays.Select(session => session.Id));
        Assert.Equal(20, replays.Select(session => session.Id).Distinct().Count());
    }

    [Fact]
    public async Task Invalidate_LiveSession_EntityIsRemovedFromRegion()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();
        var session = await client.GetSession().ReadSession();

        await client.Invalidate(SessionCookie(session.Id));

        await Eventually.True(async () => await node.LiveSessionCount() == 0, "the region to forget the invalidated session");
    }

    [Fact]
    public async Task Invalidate_Browser_DropsCookieAndNextRequestGetsNewSession()
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();
        var old = await browser.PutAttribute("a", "1").ReadSession();

        using var invalidated = await browser.Invalidate();
        using var next = await browser.GetSession();
        var fresh = await SessionDocument.Read(next);

        Assert.Equal(HttpStatusCode.NoContent, invalidated.StatusCode);
        Assert.NotEqual(old.Id, fresh.Id);
        Assert.Equal("{}", fresh.Attributes);
        Assert.Equal(SessionSetCookie(fresh.Id), next.SetCookie());
    }

    [Fact]
    public async Task Invalidate_NoCookie_Returns204AndExpiresCookie()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();

        using var response = await client.Invalidate();

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(ExpiredCookie, response.SetCookie());
        Assert.Equal(0, await node.LiveSessionCount());
    }

    [Theory]
    [InlineData("SESSIONID=0123456789abcdef0123456789abcdef.localhost-5000")]
    [InlineData("SESSIONID=garbage")]
    public async Task Invalidate_UnknownOrMalformedCookie_Returns204AndLeavesOtherSessionsAlone(string cookie)
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();
        var other = await client.PutAttribute("a", "1").ReadSession();

        using var response = await client.Invalidate(cookie);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(ExpiredCookie, response.SetCookie());
        Assert.Equal(other, await client.GetSession(SessionCookie(other.Id)).ReadSession());
    }

    [Fact]
    public async Task Invalidate_SameCookieTwice_BothReturn204()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();
        var cookie = SessionCookie((await client.GetSession().ReadSession()).Id);

        using var first = await client.Invalidate(cookie);
        using var second = await client.Invalidate(cookie);

        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NoContent), (first.StatusCode, second.StatusCode));
        Assert.Equal(ExpiredCookie, second.SetCookie());
    }

    [Fact]
    public async Task Invalidate_ConfiguredCookieName_ExpiresThatCookie()
    {
        await using var node = WebNodeFactory.With(("session-cluster:sessions:cookie-name", "JSESSIONID"));
        using var client = node.CreateRawClient();
        var session = await client.GetSession().ReadSession();

        using var response = await client.Invalidate(SessionCookie(session.Id, cookieName: "JSESSIONID"));

        Assert.Equal(ExpiredCookie.Replace("SESSIONID", "JSESSIONID", StringComparison.Ordinal), response.SetCookie());
        Assert.NotEqual(session.Id, (await client.GetSession(SessionCookie(session.Id, cookieName: "JSESSIONID")).ReadSession()).Id);
    }
}
