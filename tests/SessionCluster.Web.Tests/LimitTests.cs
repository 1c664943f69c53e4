using System.Net;
using System.Text;
using System.Text.Json;
using SessionCluster.TestKit;
using SessionCluster.Web.Tests.Support;
using static SessionCluster.Web.Tests.Support.SessionRequests;

namespace SessionCluster.Web.Tests;

/// <summary>Every limit of reference.conf, at and just past its boundary; a refused request leaves the session as it was.</summary>
public sealed class LimitTests
{
    /// <summary>A JSON string value of exactly <paramref name="bytes"/> bytes, quotes included.</summary>
    private static string JsonStringOfLength(int bytes) => "\"" + new string('x', bytes - 2) + "\"";

    [Fact]
    public async Task Put_ValueExactlyAtOverriddenMaxValueSize_Returns200()
    {
        await using var node = WebNodeFactory.With(("session-cluster:sessions:max-value-size", "1KiB"));
        using var browser = node.CreateBrowser();
        var value = JsonStringOfLength(1024);

        var session = await browser.PutAttribute("a", value).ReadSession();

        Assert.Equal("{\"a\":" + value + "}", session.Attributes);
    }

    [Fact]
    public async Task Put_ValueOneByteOverOverriddenMaxValueSize_Returns413AndSessionUnchanged()
    {
        await using var node = WebNodeFactory.With(("session-cluster:sessions:max-value-size", "1KiB"));
        using var browser = node.CreateBrowser();
        var before = await browser.PutAttribute("keep", "\"me\"").ReadSession();

        var result = await browser.PutAttribute("a", JsonStringOfLength(1025)).ReadStatusAndBody();

        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "{\"error\":\"The value is larger than 1024 bytes.\",\"status\":413}"), result);
        Assert.Equal(before, await browser.GetSession().ReadSession());
    }

    [Fact]
    public async Task Put_ValueExactlyAtDefaultMaxValueSize_Returns200()
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();
        var value = JsonStringOfLength(64 * 1024);

        var session = await browser.PutAttribute("a", value).ReadSession();

        Assert.Equal("{\"a\":" + value + "}", session.Attributes);
    }

    [Fact]
    public async Task Put_ValueOneByteOverDefaultMaxValueSize_Returns413AndSessionUnchanged()
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();
        var before = await browser.PutAttribute("keep", "\"me\"").ReadSession();

        var result = await browser.PutAttribute("a", JsonStringOfLength((64 * 1024) + 1)).ReadStatusAndBody();

        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "{\"error\":\"The value is larger than 65536 bytes.\",\"status\":413}"), result);
        Assert.Equal(before, await browser.GetSession().ReadSession());
    }

    [Theory]
    [InlineData(1024, HttpStatusCode.OK)]
    [InlineData(1025, HttpStatusCode.RequestEntityTooLarge)]
    [InlineData(100_000, HttpStatusCode.RequestEntityTooLarge)]
    public async Task Put_BodyWithoutContentLength_IsCountedAgainstMaxValueSize(int bytes, HttpStatusCode expected)
    {
        await using var node = WebNodeFactory.With(("session-cluster:sessions:max-value-size", "1KiB"));
        using var browser = node.CreateBrowser();
        var before = await browser.PutAttribute("keep", "\"me\"").ReadSession();
        var value = JsonStringOfLength(bytes);

        using var response = await browser.Send(HttpMethod.Put, AttributePath("a"), content: new UnknownLengthContent(Encoding.UTF8.GetBytes(value)));

        Assert.Null(response.RequestMessage?.Content?.Headers.ContentLength);
        Assert.Equal(expected, response.StatusCode);
        var after = await browser.GetSession().ReadSession();
        Assert.Equal(expected == HttpStatusCode.OK ? "{\"a\":" + value + ",\"keep\":\"me\"}" : before.Attributes, after.Attributes);
    }

    [Fact]
    public async Task Put_FourthAttributeWithMaxAttributesThree_Returns413AndSessionUnchanged()
    {
        await using var node = WebNodeFactory.With(("session-cluster:sessions:max-attributes", "3"));
        using var browser = node.CreateBrowser();
        await browser.PutAttribute("a", "1");
        await browser.PutAttribute("b", "2");
        var before = await browser.PutAttribute("c", "3").ReadSession();

        var result = await browser.PutAttribute("d", "4").ReadStatusAndBody();

        Assert.Equal("{\"a\":1,\"b\":2,\"c\":3}", before.Attributes);
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "{\"error\":\"The session already holds 3 attributes; the limit is 3.\",\"status\":413}"), result);
        Assert.Equal(before, await browser.GetSession().ReadSession());
    }

    [Fact]
    public async Task Put_ReplaceWhileAtMaxAttributes_Returns200()
    {
        await using var node = WebNodeFactory.With(("session-cluster:sessions:max-attributes", "3"));
        using var browser = node.CreateBrowser();
        await browser.PutAttribute("a", "1");
        await browser.PutAttribute("b", "2");
        await browser.PutAttribute("c", "3");

        var session = await browser.PutAttribute("b", "20").ReadSession();

        Assert.Equal("{\"a\":1,\"b\":20,\"c\":3}", session.Attributes);
    }

    [Fact]
    public async Task Put_AfterDeleteAtMaxAttributes_Returns200()
    {
        await using var node = WebNodeFactory.With(("session-cluster:sessions:max-attributes", "3"));
        using var browser = node.CreateBrowser();
        await browser.PutAttribute("a", "1");
        await browser.PutAttribute("b", "2");
        await browser.PutAttribute("c", "3");
        await browser.DeleteAttribute("a");

        var session = await browser.PutAttribute("d", "4").ReadSession();

        Assert.Equal("{\"b\":2,\"c\":3,\"d\":4}", session.Attributes);
    }

    [Fact]
    public async Task PutThenDelete_OfEverNewNames_Returns413AtMaxRemovedAttributesAndRemovedNamesStayWritable()
    {
        await using var node = WebNodeFactory.With(("session-cluster:sessions:max-removed-attributes", "5"));
        using var browser = node.CreateBrowser();
        for (var i = 0; i < 5; i++)
        {
            await browser.PutAttribute("n" + i, "1").ReadSession();
            await browser.DeleteAttribute("n" + i).ReadSession();
        }

        var refused = await browser.PutAttribute("n5", "1").ReadStatusAndBody();
        var reused = await browser.PutAttribute("n2", "2").ReadSession();

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.Item1);
        Assert.Contains("The session keeps 5 removed attributes", refused.Item2);
        Assert.Equal("{\"n2\":2}", reused.Attributes);
    }

    [Fact]
    public async Task Increment_NewAttributeBeyondMaxAttributes_Returns413AndSessionUnchanged()
    {
        await using var node = WebNodeFactory.With(("session-cluster:sessions:max-attributes", "1"));
        using var browser = node.CreateBrowser();
        var before = await browser.PutAttribute("a", "1").ReadSession();

        var result = await browser.Increment("b").ReadStatusAndBody();

        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "{\"error\":\"The session already holds 1 attributes; the limit is 1.\",\"status\":413}"), result);
        Assert.Equal(before, await browser.GetSession().ReadSession());
    }

    /// <summary>Session size counts UTF-8 bytes of names and compact values: "a" + "0123456789" quoted is 1 + 12 = 13 bytes.</summary>
    [Fact]
    public async Task Put_ExactlyFillingMaxSessionSize_Returns200()
    {
        await using var node = WebNodeFactory.With(("session-cluster:sessions:max-session-size", "32B"));
        using var browser = node.CreateBrowser();
        await browser.PutAttribute("a", "\"0123456789\"");
        await browser.PutAttribute("b", "\"0123456789\"");

        var session = await browser.PutAttribute("c", "\"012\"").ReadSession();

        Assert.Equal("{\"a\":\"0123456789\",\"b\":\"0123456789\",\"c\":\"012\"}", session.Attributes);
    }

    [Theory]
    [InlineData("d", "1", "The session would hold 34 bytes; the limit is 32.")]
    [InlineData("c", "\"0123\"", "The session would hold 33 bytes; the limit is 32.")]
    public async Task Put_BeyondMaxSessionSize_Returns413AndSessionUnchanged(string name, string value, string error)
    {
        await using var node = WebNodeFactory.With(("session-cluster:sessions:max-session-size", "32B"));
        using var browser = node.CreateBrowser();
        await browser.PutAttribute("a", "\"0123456789\"");
        await browser.PutAttribute("b", "\"0123456789\"");
        var before = await browser.PutAttribute("c", "\"012\"").ReadSession();

        var result = await browser.PutAttribute(name, value).ReadStatusAndBody();

        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "{\"error\":\"" + error + "\",\"status\":413}"), result);
        Assert.Equal(before, await browser.GetSession().ReadSession());
    }

    [Theory]
    [InlineData("e", HttpStatusCode.OK)]
    [InlineData("é", HttpStatusCode.RequestEntityTooLarge)]
    public async Task Put_NameBytes_CountInUtf8AgainstMaxSessionSize(string name, HttpStatusCode expected)
    {
        await using var node = WebNodeFactory.With(("session-cluster:sessions:max-session-size", "8B"));
        using var browser = node.CreateBrowser();

        using var response = await browser.PutAttribute(name, "\"abcde\"");

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Increment_GrowingBeyondMaxSessionSize_Returns413AndKeepsValue()
    {
        await using var node = WebNodeFactory.With(("session-cluster:sessions:max-session-size", "2B"));
        using var browser = node.CreateBrowser();
        await browser.PutAttribute("n", "9");

        var result = await browser.Increment("n").ReadStatusAndBody();

        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "{\"error\":\"The session would hold 3 bytes; the limit is 2.\",\"status\":413}"), result);
        Assert.Equal("{\"n\":9}", (await browser.GetSession().ReadSession()).Attributes);
    }

    [Fact]
    public async Task Put_NameOfMaxNameLength_Returns200()
    {
        var name = new string('n', 256);
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();

        var session = await browser.PutAttribute(name, "1").ReadSession();

        Assert.Equal("{\"" + name + "\":1}", session.Attributes);
    }

    public static TheoryData<string> AllAttributeMethods => ["GET", "PUT", "DELETE", "INCREMENT"];

    [Theory]
    [MemberData(nameof(AllAttributeMethods))]
    public async Task AnyAttributeRequest_NameOf257Characters_Returns400AndSessionUnchanged(string method)
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();
        var before = await browser.PutAttribute("keep", "\"me\"").ReadSession();

        var result = await Request(browser, method, new string('n', 257)).ReadStatusAndBody();

        Assert.Equal((HttpStatusCode.BadRequest, "{\"error\":\"An attribute name must be 1 to 256 characters; got 257.\",\"status\":400}"), result);
        Assert.Equal(before, await browser.GetSession().ReadSession());
    }

    [Theory]
    [MemberData(nameof(AllAttributeMethods))]
    public async Task AnyAttributeRequest_NameWithControlCharacter_Returns400AndSessionUnchanged(string method)
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();
        var before = await browser.PutAttribute("keep", "\"me\"").ReadSession();

        var atStart = await Request(browser, method, "\u0001").ReadStatusAndBody();
        var inMiddle = await Request(browser, method, "a\u007fb").ReadStatusAndBody();

        Assert.Equal((HttpStatusCode.BadRequest, "{\"error\":\"An attribute name must be printable: it has a control character at position 0.\",\"status\":400}"), atStart);
        Assert.Equal((HttpStatusCode.BadRequest, "{\"error\":\"An attribute name must be printable: it has a control character at position 1.\",\"status\":400}"), inMiddle);
        Assert.Equal(before, await browser.GetSession().ReadSession());
    }

    [Fact]
    public async Task Put_ControlCharacterSentPercentEncoded_Returns400()
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();

        var result = await browser.Send(HttpMethod.Put, "/session/attributes/%01", content: Json("1")).ReadStatusAndBody();

        Assert.Equal((HttpStatusCode.BadRequest, "{\"error\":\"An attribute name must be printable: it has a control character at position 0.\",\"status\":400}"), result);
    }

    [Theory]
    [InlineData("{\"a\":")]
    [InlineData("{'a':1}")]
    [InlineData("[1,]")]
    [InlineData("tru")]
    [InlineData("\"unterminated")]
    [InlineData("/* comment */ 1")]
    [InlineData("{\"a\":1}}")]
    [InlineData("1 2")]
    [InlineData("NaN")]
    public async Task Put_MalformedJson_Returns400WithMessageAndSessionUnchanged(string body)
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();
        var before = await browser.PutAttribute("keep", "\"me\"").ReadSession();

        var (status, error) = await ReadError(browser.PutAttribute("a", body));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("Malformed JSON: ", error, StringComparison.Ordinal);
        Assert.True(error.Length > "Malformed JSON: ".Length, $"The message should say what is wrong: '{error}'.");
        Assert.Equal(before, await browser.GetSession().ReadSession());
    }

    [Fact]
    public async Task Put_DataAfterTheValue_Returns400NamingTheByte()
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();

        var result = await browser.PutAttribute("a", "{} x").ReadStatusAndBody();

        Assert.Equal((HttpStatusCode.BadRequest, "{\"error\":\"Malformed JSON: unexpected data after the value at byte 2.\",\"status\":400}"), result);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \r\n")]
    public async Task Put_EmptyBody_Returns400AndSessionUnchanged(string body)
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();
        var before = await browser.PutAttribute("keep", "\"me\"").ReadSession();

        var (status, error) = await ReadError(browser.PutAttribute("a", body));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("Malformed JSON: ", error, StringComparison.Ordinal);
        Assert.Equal(before, await browser.GetSession().ReadSession());
    }

    [Fact]
    public async Task Put_NoBodyAtAll_Returns400()
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();

        var (status, error) = await ReadError(browser.Send(HttpMethod.Put, AttributePath("a")));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("Malformed JSON: ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(64, HttpStatusCode.OK)]
    [InlineData(65, HttpStatusCode.BadRequest)]
    public async Task Put_NestingDepth_IsLimitedTo64(int depth, HttpStatusCode expected)
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();

        using var response = await browser.PutAttribute("a", new string('[', depth) + new string(']', depth));

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task NewSession_PastMaxActiveSessions_Returns503WithRetryAfter_WhileExistingSessionsAreServed_UntilOneEnds()
    {
        await using var node = WebNodeFactory.With(("session-cluster:sessions:max-active-sessions", "2"));
        using var client = node.CreateRawClient();
        var first = await client.GetSession().ReadSession();
        var second = await client.GetSession().ReadSession();

        using (var refused = await client.GetSession())
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("1", refused.Headers.RetryAfter?.ToString());
            Assert.Null(refused.SetCookie());
            Assert.Contains("its limit of 2 sessions (sessions.max-active-sessions)", await refused.Content.ReadAsStringAsync());
        }

        // A cookie naming no live session asks for a new one too, and is refused the same way.
        var (status, error) = await ReadError(client.PutAttribute("a", "1", SessionCookie(new string('0', 32))));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("max-active-sessions", error);
        Assert.Equal(2, await node.LiveSessionCount());

        // The sessions that exist are served, reads and writes alike.
        using (var write = await client.PutAttribute("a", "1", SessionCookie(first.Id)))
        {
            Assert.Equal(HttpStatusCode.OK, write.StatusCode);
        }

        Assert.Equal("{\"a\":1}", (await client.GetSession(SessionCookie(first.Id)).ReadSession()).Attributes);

        // Once a session ends there is room again (as soon as the node has counted: its region's next tick).
        using (var invalidated = await client.Invalidate(SessionCookie(second.Id)))
        {
            Assert.Equal(HttpStatusCode.NoContent, invalidated.StatusCode);
        }

        await Eventually.True(
            async () =>
            {
                using var response = await client.GetSession();
                return response.StatusCode == HttpStatusCode.OK;
            },
            "a new session to be created once the second one ended");
        Assert.Equal(2, await node.LiveSessionCount());
    }

    private static Task<HttpResponseMessage> Request(HttpClient client, string method, string name) => method switch
    {
        "GET" => client.GetAttribute(name),
        "PUT" => client.PutAttribute(name, "1"),
        "DELETE" => client.DeleteAttribute(name),
        "INCREMENT" => client.Increment(name),
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown attribute request."),
    };

    /// <summary>Reads an error document, asserting its exact shape <c>{"error": "...", "status": N}</c>.</summary>
    private static async Task<(HttpStatusCode Status, string Error)> ReadError(Task<HttpResponseMessage> request)
    {
        using var response = await request;
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["error", "status"], document.RootElement.EnumerateObject().Select(property => property.Name));
        Assert.Equal((int)response.StatusCode, document.RootElement.GetProperty("status").GetInt32());
        return (response.StatusCode, document.RootElement.GetProperty("error").GetString()!);
    }
}
