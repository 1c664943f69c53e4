using System.Net;
using SessionCluster.Web.Tests.Support;
using static SessionCluster.Web.Tests.Support.SessionRequests;

namespace SessionCluster.Web.Tests;

/// <summary><c>GET</c>, <c>PUT</c> and <c>DELETE /session/attributes/{name}</c>: values of every JSON kind, stored compact.</summary>
public sealed class AttributeEndpointTests
{
    [Theory]
    [InlineData("{ \"b\" : [ 1 , 2 ] ,\n \"c\" : { } }", "{\"b\":[1,2],\"c\":{}}")]
    [InlineData("[ 1, \"x\", null, [ ] ]", "[1,\"x\",null,[]]")]
    [InlineData("\"hello  world\"", "\"hello  world\"")]
    [InlineData(" 42 ", "42")]
    [InlineData("-12.5e3", "-12.5e3")]
    [InlineData("0", "0")]
    [InlineData("true", "true")]
    [InlineData("false", "false")]
    [InlineData("\r\n null \t", "null")]
    public async Task Put_JsonValueOfAnyKind_Returns200WithCompactValueInDocument(string body, string compact)
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();

        var session = await browser.PutAttribute("a", body).ReadSession();
        var read = await browser.GetAttribute("a").ReadStatusAndBody();

        Assert.Equal("{\"a\":" + compact + "}", session.Attributes);
        Assert.Equal((HttpStatusCode.OK, "{\"name\":\"a\",\"value\":" + compact + "}"), read);
    }

    [Fact]
    public async Task Put_NoCookie_CreatesSessionHoldingTheValue()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();

        using var response = await client.PutAttribute("a", "1");
        var session = await SessionDocument.Read(response);

        Assert.Equal("{\"a\":1}", session.Attributes);
        Assert.Equal(SessionSetCookie(session.Id), response.SetCookie());
        Assert.Equal("{\"a\":1}", (await client.GetSession(SessionCookie(session.Id)).ReadSession()).Attributes);
    }

    [Fact]
    public async Task Put_SeveralNames_DocumentListsThemInOrdinalNameOrder()
    {
        // The replicated state's order, the same on every replica whatever order they saw the writes in.
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();

        await browser.PutAttribute("z", "1");
        await browser.PutAttribute("a", "2");
        await browser.PutAttribute("B", "4");
        var session = await browser.PutAttribute("m", "3").ReadSession();

        Assert.Equal("{\"B\":4,\"a\":2,\"m\":3,\"z\":1}", session.Attributes);
    }

    [Fact]
    public async Task Put_ExistingName_ReplacesValueInPlace()
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();
        await browser.PutAttribute("a", "1");
        await browser.PutAttribute("b", "2");

        var session = await browser.PutAttribute("a", "{\"now\":\"object\"}").ReadSession();

        Assert.Equal("{\"a\":{\"now\":\"object\"},\"b\":2}", session.Attributes);
    }

    [Fact]
    public async Task Put_NameWithSpacesAndNonAsciiLetters_RoundTrips()
    {
        const string name = "user name ü 名";
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();

        var session = await browser.PutAttribute(name, "7").ReadSession();
        var read = await browser.GetAttribute(name).ReadStatusAndBody();

        Assert.Equal("{\"user name ü 名\":7}", session.Attributes);
        Assert.Equal((HttpStatusCode.OK, "{\"name\":\"user name ü 名\",\"value\":7}"), read);
    }

    /// <summary>The contract compacts values by removing whitespace only; the text of strings is kept as sent.</summary>
    [Theory]
    [InlineData("\"héllo wörld\"")]
    [InlineData("\"<b>Tom & Jerry's +1</b>\"")]
    [InlineData("{\"名前\":\"値\"}")]
    [InlineData("\"tab\\tquote\\\"\"")]
    public async Task Put_StringWithNonAsciiOrHtmlCharacters_StoresTextAsSent(string json)
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();

        var session = await browser.PutAttribute("a", json).ReadSession();
        var read = await browser.GetAttribute("a").ReadStatusAndBody();

        Assert.Equal("{\"a\":" + json + "}", session.Attributes);
        Assert.Equal((HttpStatusCode.OK, "{\"name\":\"a\",\"value\":" + json + "}"), read);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("path/to/key")]
    public async Task Put_NameWithSlash_RoundTrips(string name)
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();

        var session = await browser.PutAttribute(name, "1").ReadSession();
        var read = await browser.GetAttribute(name).ReadStatusAndBody();

        Assert.Equal("{\"" + name + "\":1}", session.Attributes);
        Assert.Equal((HttpStatusCode.OK, "{\"name\":\"" + name + "\",\"value\":1}"), read);
    }

    [Fact]
    public async Task GetAttribute_Present_Returns200WithNameAndValue()
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();
        await browser.PutAttribute("cart", "{\"items\":[1,2]}");

        using var response = await browser.GetAttribute("cart");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("{\"name\":\"cart\",\"value\":{\"items\":[1,2]}}", await response.Content.ReadAsStringAsync());
        Assert.Null(response.SetCookie());
    }

    [Fact]
    public async Task GetAttribute_Absent_Returns404WithError()
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();
        await browser.PutAttribute("a", "1");

        using var response = await browser.GetAttribute("missing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("{\"error\":\"The session has no attribute 'missing'.\",\"status\":404}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task GetAttribute_NoCookie_CreatesSessionAndReturns404()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();

        using var response = await client.GetAttribute("a");
        var cookie = response.SetCookie();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.NotNull(cookie);
        Assert.Matches("^SESSIONID=[0-9a-f]{32}\\.localhost-5000; path=/; samesite=lax; httponly$", cookie);
        Assert.Equal(1, await node.LiveSessionCount());
    }

    [Fact]
    public async Task GetAttribute_NameDiffersOnlyInCase_Returns404()
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();
        await browser.PutAttribute("Name", "1");

        var read = await browser.GetAttribute("name").ReadStatusAndBody();

        Assert.Equal((HttpStatusCode.NotFound, "{\"error\":\"The session has no attribute 'name'.\",\"status\":404}"), read);
    }

    [Fact]
    public async Task Delete_Present_Returns200DocumentWithoutItAndKeepsOthers()
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();
        await browser.PutAttribute("a", "1");
        await browser.PutAttribute("b", "2");
        await browser.PutAttribute("c", "3");

        var session = await browser.DeleteAttribute("b").ReadSession();
        var read = await browser.GetAttribute("b").ReadStatusAndBody();

        Assert.Equal("{\"a\":1,\"c\":3}", session.Attributes);
        Assert.Equal(HttpStatusCode.NotFound, read.Status);
    }

    [Fact]
    public async Task Delete_Absent_Returns200DocumentUnchanged()
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();
        var before = await browser.PutAttribute("a", "1").ReadSession();

        var after = await browser.DeleteAttribute("missing").ReadSession();

        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Delete_ThenPutSameName_TakesItsPlaceByName()
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();
        await browser.PutAttribute("a", "1");
        await browser.PutAttribute("b", "2");
        await browser.DeleteAttribute("a");
        Assert.Equal("{\"b\":2}", (await browser.GetSession().ReadSession()).Attributes);

        var session = await browser.PutAttribute("a", "3").ReadSession();

        Assert.Equal("{\"a\":3,\"b\":2}", session.Attributes);
    }
}
