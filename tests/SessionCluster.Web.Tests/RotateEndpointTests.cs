using System.Net;
using SessionCluster.Web.Tests.Support;
using static SessionCluster.Web.Tests.Support.SessionRequests;

namespace SessionCluster.Web.Tests;

/// <summary>POST /session/rotate: the same session under a new id and a new cookie, the old id never served again; and the
/// cookie's Secure flag on HTTPS or by setting.</summary>
public sealed class RotateEndpointTests
{
    [Fact]
    public async Task Rotate_GivesTheSessionANewIdWithTheSameAttributes_AndEndsTheOldId()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();
        var old = await client.GetSession().ReadSession();
        await client.PutAttribute("user", "\"alice\"", SessionCookie(old.Id));
        await client.Increment("visits", "by=3", SessionCookie(old.Id));

        using var response = await client.Send(HttpMethod.Post, "/session/rotate", SessionCookie(old.Id));
        var rotated = await SessionDocument.Read(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual(old.Id, rotated.Id);
        Assert.Equal("{\"user\":\"alice\",\"visits\":3}", rotated.Attributes);
        Assert.Equal(SessionSetCookie(rotated.Id), response.SetCookie());
        var again = await client.GetSession(SessionCookie(rotated.Id)).ReadSession();
        Assert.Equal((rotated.Id, rotated.Attributes), (again.Id, again.Attributes));

        // The old id is ended: presenting it gets a brand-new, empty session.
        var afterwards = await client.GetSession(SessionCookie(old.Id)).ReadSession();
        Assert.NotEqual(old.Id, afterwards.Id);
        Assert.NotEqual(rotated.Id, afterwards.Id);
        Assert.Equal("{}", afterwards.Attributes);
        Assert.Equal(2, await node.LiveSessionCount());
    }

    [Fact]
    public async Task Rotate_WithoutASession_StartsANewOne()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();

        using var response = await client.Send(HttpMethod.Post, "/session/rotate", SessionCookie("0123456789abcdef0123456789abcdef"));
        var session = await SessionDocument.Read(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual("0123456789abcdef0123456789abcdef", session.Id);
        Assert.Equal(SessionSetCookie(session.Id), response.SetCookie());
        Assert.Equal(1, await node.LiveSessionCount());
    }

    [Fact]
    public async Task Cookie_OverHttps_IsSecure_OverHttp_IsNot()
    {
        await using var node = new WebNodeFactory();
        using var https = node.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false, BaseAddress = new Uri("https://localhost") });
        using var http = node.CreateRawClient();

        using var secure = await https.GetSession();
        using var plain = await http.GetSession();

        Assert.Contains("secure", secure.SetCookie()!, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", plain.SetCookie()!, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Cookie_WithCookieSecureAlways_IsSecureOverHttpToo()
    {
        await using var node = WebNodeFactory.With(("session-cluster:sessions:cookie-secure", "always"));
        using var http = node.CreateRawClient();

        using var response = await http.GetSession();
        var session = await SessionDocument.Read(response);
        using var invalidated = await http.Invalidate(SessionCookie(session.Id));

        Assert.Contains("; secure", response.SetCookie()!, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; secure", invalidated.SetCookie()!, StringComparison.OrdinalIgnoreCase);
    }
}
