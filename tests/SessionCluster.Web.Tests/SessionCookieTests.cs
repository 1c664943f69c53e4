using SessionCluster.Web.Tests.Support;
using static SessionCluster.Web.Tests.Support.SessionRequests;

namespace SessionCluster.Web.Tests;

/// <summary>The session cookie: how a session is created, found again by its cookie, and never adopted from a client.</summary>
public sealed class SessionCookieTests
{
    private const string Route = WebNodeFactory.DefaultRoute;

    [Fact]
    public async Task GetSession_NoCookie_CreatesSessionAndSetsRoutedHttpOnlyLaxCookie()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();

        using var response = await client.GetSession();
        var session = await SessionDocument.Read(response);

        Assert.Matches("^[0-9a-f]{32}$", session.Id);
        Assert.Equal(
            new SessionDocument(session.Id, Route, Route, Route, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", 1800, "{}"),
            session);
        Assert.Equal(SessionSetCookie(session.Id), response.SetCookie());
        Assert.Equal(1, await node.LiveSessionCount());
    }

    [Fact]
    public async Task GetSession_WithIssuedCookie_ReturnsSameSessionWithoutNewCookie()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();
        var created = await client.GetSession().ReadSession();

        using var response = await client.GetSession(SessionCookie(created.Id));
        var again = await SessionDocument.Read(response);

        Assert.Equal(created, again);
        Assert.Null(response.SetCookie());
        Assert.Equal(1, await node.LiveSessionCount());
    }

    [Fact]
    public async Task GetSession_BrowserKeepingCookies_ReturnsSameSessionOnEveryRequest()
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();

        using var first = await browser.GetSession();
        var created = await SessionDocument.Read(first);
        using var second = await browser.GetSession();
        var again = await SessionDocument.Read(second);

        Assert.Equal(SessionSetCookie(created.Id), first.SetCookie());
        Assert.Equal(created.Id, again.Id);
        Assert.Null(second.SetCookie());
    }

    [Fact]
    public async Task GetSession_TwoBrowsers_GetTwoDifferentSessions()
    {
        await using var node = new WebNodeFactory();
        using var alice = node.CreateBrowser();
        using var bob = node.CreateBrowser();

        var aliceSession = await alice.GetSession().ReadSession();
        var bobSession = await bob.GetSession().ReadSession();
        await alice.PutAttribute("owner", "\"alice\"");

        Assert.NotEqual(aliceSession.Id, bobSession.Id);
        Assert.Equal("{}", (await bob.GetSession().ReadSession()).Attributes);
        Assert.Equal("{\"owner\":\"alice\"}", (await alice.GetSession().ReadSession()).Attributes);
        Assert.Equal(2, await node.LiveSessionCount());
    }

    [Fact]
    public async Task GetSession_FiftyConcurrentNewClients_GetFiftyDistinctSessions()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();

        var sessions = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => client.GetSession().ReadSession()));

        Assert.Equal(50, sessions.Select(session => session.Id).Distinct().Count());
        Assert.Equal(50, await node.LiveSessionCount());
    }

    [Fact]
    public async Task GetSession_ConfiguredCookieName_UsesThatNameOnly()
    {
        await using var node = WebNodeFactory.With(("session-cluster:sessions:cookie-name", "JSESSIONID"));
        using var client = node.CreateRawClient();

        using var response = await client.GetSession();
        var session = await SessionDocument.Read(response);
        var underConfiguredName = await client.GetSession(SessionCookie(session.Id, cookieName: "JSESSIONID")).ReadSession();
        var underDefaultName = await client.GetSession(SessionCookie(session.Id, cookieName: "SESSIONID")).ReadSession();

        Assert.Equal(SessionSetCookie(session.Id, cookieName: "JSESSIONID"), response.SetCookie());
        Assert.Equal(session.Id, underConfiguredName.Id);
        Assert.NotEqual(session.Id, underDefaultName.Id);
    }

    [Fact]
    public async Task GetSession_ConfiguredRoute_IsCookieSuffixAndDocumentRoute()
    {
        await using var node = WebNodeFactory.With(("session-cluster:node:route", "node-a"));
        using var client = node.CreateRawClient();

        using var response = await client.GetSession();
        var session = await SessionDocument.Read(response);

        Assert.Equal(SessionSetCookie(session.Id, route: "node-a"), response.SetCookie());
        Assert.Equal(("node-a", "node-a", "node-a"), (session.Route, session.Owner, session.ServedBy));
    }

    [Theory]
    [InlineData("{id}.otherroute")]
    [InlineData("{id}")]
    [InlineData("{id}.")]
    public async Task GetSession_CookieWithOtherOrNoRoute_FindsSessionAndRewritesCookieWithThisRoute(string cookieValue)
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();
        var created = await client.GetSession().ReadSession();

        using var response = await client.GetSession("SESSIONID=" + cookieValue.Replace("{id}", created.Id, StringComparison.Ordinal));
        var found = await SessionDocument.Read(response);

        Assert.Equal(created.Id, found.Id);
        Assert.Equal(SessionSetCookie(created.Id), response.SetCookie());
        Assert.Equal(1, await node.LiveSessionCount());
    }

    [Fact]
    public async Task GetSession_CookieIdInUpperCase_FindsSameSession()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();
        var created = await client.GetSession().ReadSession();

        var found = await client.GetSession(SessionCookie(created.Id.ToUpperInvariant())).ReadSession();

        Assert.Equal(created.Id, found.Id);
        Assert.Equal(1, await node.LiveSessionCount());
    }

    [Fact]
    public async Task GetSession_WellFormedIdNeverIssued_IsNotAdopted()
    {
        const string madeUp = "0123456789abcdef0123456789abcdef";
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();

        using var first = await client.GetSession(SessionCookie(madeUp));
        var firstSession = await SessionDocument.Read(first);
        var second = await client.GetSession(SessionCookie(madeUp)).ReadSession();

        Assert.NotEqual(madeUp, firstSession.Id);
        Assert.Equal(SessionSetCookie(firstSession.Id), first.SetCookie());
        Assert.NotEqual(madeUp, second.Id);
        Assert.NotEqual(firstSession.Id, second.Id);
        Assert.Equal(2, await node.LiveSessionCount());
    }

    /// <summary>{id} is replaced by an id the node really issued, {id31} by its first 31 digits.</summary>
    [Theory]
    [InlineData("garbage")]
    [InlineData("")]
    [InlineData("{id}0")]
    [InlineData("{id}0.localhost-5000")]
    [InlineData("0{id}")]
    [InlineData("{id31}")]
    [InlineData("{id31}g.localhost-5000")]
    [InlineData("{id31}.localhost-5000")]
    [InlineData(".{id}")]
    [InlineData("{id}{id}")]
    public async Task GetSession_MalformedCookie_GetsNewSessionAndLeavesIssuedOneAlone(string template)
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();
        var issued = await client.GetSession().ReadSession();
        await client.PutAttribute("a", "1", SessionCookie(issued.Id));
        var cookieValue = template.Replace("{id31}", issued.Id[..31], StringComparison.Ordinal).Replace("{id}", issued.Id, StringComparison.Ordinal);

        using var response = await client.GetSession("SESSIONID=" + cookieValue);
        var session = await SessionDocument.Read(response);

        Assert.NotEqual(issued.Id, session.Id);
        Assert.Equal("{}", session.Attributes);
        Assert.Equal(SessionSetCookie(session.Id), response.SetCookie());
        var untouched = await client.GetSession(SessionCookie(issued.Id)).ReadSession();
        Assert.Equal((issued.Id, "{\"a\":1}"), (untouched.Id, untouched.Attributes));
        Assert.Equal(2, await node.LiveSessionCount());
    }

    [Fact]
    public async Task GetSession_OtherCookiesOnly_CreatesSession()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();

        using var response = await client.GetSession("theme=dark; SESSIONIDX=0123456789abcdef0123456789abcdef.localhost-5000");
        var session = await SessionDocument.Read(response);

        Assert.Equal(SessionSetCookie(session.Id), response.SetCookie());
        Assert.Equal(1, await node.LiveSessionCount());
    }
}
