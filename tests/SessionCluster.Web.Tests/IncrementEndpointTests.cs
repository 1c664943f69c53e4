using System.Net;
using SessionCluster.Web.Tests.Support;
using static SessionCluster.Web.Tests.Support.SessionRequests;

namespace SessionCluster.Web.Tests;

/// <summary><c>POST /session/attributes/{name}/increment?by=N</c>: integer arithmetic, applied atomically by the session.</summary>
public sealed class IncrementEndpointTests
{
    [Fact]
    public async Task Increment_MissingAttribute_StartsAtZero()
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();

        using var response = await browser.Increment("n", "by=5");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("{\"name\":\"n\",\"value\":5}", await response.Content.ReadAsStringAsync());
        Assert.Equal("{\"n\":5}", (await browser.GetSession().ReadSession()).Attributes);
    }

    [Fact]
    public async Task Increment_NoBy_AddsOne()
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();

        var first = await browser.Increment("n").ReadStatusAndBody();
        var second = await browser.Increment("n").ReadStatusAndBody();

        Assert.Equal((HttpStatusCode.OK, "{\"name\":\"n\",\"value\":1}"), first);
        Assert.Equal((HttpStatusCode.OK, "{\"name\":\"n\",\"value\":2}"), second);
    }

    [Theory]
    [InlineData("10", "by=-3", "7")]
    [InlineData("10", "by=-10", "0")]
    [InlineData("-5", "by=2", "-3")]
    [InlineData("0", "by=%2B4", "4")]
    [InlineData("7", "by=0", "7")]
    [InlineData("9223372036854775806", "by=1", "9223372036854775807")]
    [InlineData("-9223372036854775807", "by=-1", "-9223372036854775808")]
    [InlineData("9223372036854775807", "by=-9223372036854775808", "-1")]
    public async Task Increment_IntegerAttribute_ReturnsSum(string start, string query, string expected)
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();
        await browser.PutAttribute("n", start);

        var result = await browser.Increment("n", query).ReadStatusAndBody();

        Assert.Equal((HttpStatusCode.OK, "{\"name\":\"n\",\"value\":" + expected + "}"), result);
        Assert.Equal("{\"n\":" + expected + "}", (await browser.GetSession().ReadSession()).Attributes);
    }

    [Theory]
    [InlineData("\"5\"")]
    [InlineData("1.5")]
    [InlineData("1e3")]
    [InlineData("99999999999999999999")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("{\"n\":1}")]
    [InlineData("[1]")]
    public async Task Increment_NonIntegerAttribute_Returns409AndKeepsValue(string value)
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();
        var before = await browser.PutAttribute("n", value).ReadSession();

        var result = await browser.Increment("n").ReadStatusAndBody();

        Assert.Equal((HttpStatusCode.Conflict, "{\"error\":\"Attribute 'n' is not an integer.\",\"status\":409}"), result);
        Assert.Equal(before.Attributes, (await browser.GetSession().ReadSession()).Attributes);
    }

    [Theory]
    [InlineData("9223372036854775807", "1", "{\"error\":\"Incrementing 'n' by 1 would overflow a 64-bit integer.\",\"status\":409}")]
    [InlineData("-9223372036854775808", "-1", "{\"error\":\"Incrementing 'n' by -1 would overflow a 64-bit integer.\",\"status\":409}")]
    [InlineData("1", "9223372036854775807", "{\"error\":\"Incrementing 'n' by 9223372036854775807 would overflow a 64-bit integer.\",\"status\":409}")]
    public async Task Increment_Overflow_Returns409AndKeepsValue(string start, string by, string error)
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();
        await browser.PutAttribute("n", start);

        var result = await browser.Increment("n", "by=" + by).ReadStatusAndBody();

        Assert.Equal((HttpStatusCode.Conflict, error), result);
        Assert.Equal("{\"n\":" + start + "}", (await browser.GetSession().ReadSession()).Attributes);
    }

    [Theory]
    [InlineData("by=abc", "abc")]
    [InlineData("by=1.5", "1.5")]
    [InlineData("by=", "")]
    [InlineData("by=%201", " 1")]
    [InlineData("by=0x10", "0x10")]
    [InlineData("by=9223372036854775808", "9223372036854775808")]
    [InlineData("by=1&by=2", "1,2")]
    public async Task Increment_ByNotOneInteger_Returns400AndChangesNothing(string query, string shown)
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();
        await browser.PutAttribute("n", "3");

        var result = await browser.Increment("n", query).ReadStatusAndBody();

        Assert.Equal((HttpStatusCode.BadRequest, "{\"error\":\"'by' must be one 64-bit integer, got '" + shown + "'.\",\"status\":400}"), result);
        Assert.Equal("{\"n\":3}", (await browser.GetSession().ReadSession()).Attributes);
    }

    [Fact]
    public async Task Increment_TwoHundredConcurrentOnOneSession_EachAppliedExactlyOnce()
    {
        const int count = 200;
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();
        var cookie = SessionCookie((await client.GetSession().ReadSession()).Id);

        var results = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => client.Increment("hits", cookie: cookie).ReadStatusAndBody()));

        Assert.All(results, result => Assert.Equal(HttpStatusCode.OK, result.Status));
        Assert.Equal(
            Enumerable.Range(1, count).Select(value => "{\"name\":\"hits\",\"value\":" + value + "}").ToHashSet(),
            results.Select(result => result.Body).ToHashSet());
        Assert.Equal((HttpStatusCode.OK, "{\"name\":\"hits\",\"value\":200}"), await client.GetAttribute("hits", cookie).ReadStatusAndBody());
    }

    [Fact]
    public async Task Increment_ConcurrentOnTwoSessions_CountsStaySeparate()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();
        var first = SessionCookie((await client.GetSession().ReadSession()).Id);
        var second = SessionCookie((await client.GetSession().ReadSession()).Id);

        await Task.WhenAll(Enumerable.Range(0, 100).Select(i => client.Increment("hits", cookie: i % 4 == 0 ? second : first)));

        Assert.Equal((HttpStatusCode.OK, "{\"name\":\"hits\",\"value\":75}"), await client.GetAttribute("hits", first).ReadStatusAndBody());
        Assert.Equal((HttpStatusCode.OK, "{\"name\":\"hits\",\"value\":25}"), await client.GetAttribute("hits", second).ReadStatusAndBody());
    }
}
