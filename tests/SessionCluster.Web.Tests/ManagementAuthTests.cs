using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using SessionCluster.TestKit;
using SessionCluster.Web.Tests.Support;

namespace SessionCluster.Web.Tests;

/// <summary>Who may use the management API: actions need the bearer token (401 without or with a wrong one, 403 when no
/// token is configured, 429 after too many wrong ones); reads are open unless protect-reads is on.</summary>
public sealed class ManagementAuthTests
{
    private const string Token = "s3cret-management-token";
    private const string TokenSetting = "session-cluster:management:token";

    [Fact]
    public async Task Action_NoTokenConfigured_Returns403NamingTheSetting()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();

        using var response = await client.PostAsync("/cluster/rebalance", null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("session-cluster.management.token", error.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(403, error.RootElement.GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-token")]
    [InlineData("Basic czNjcmV0")]
    [InlineData("Bearer " + Token + "x")]
    public async Task Action_MissingOrWrongToken_Returns401WithBearerChallenge(string? authorization)
    {
        await using var node = WebNodeFactory.With((TokenSetting, Token));
        using var client = node.CreateRawClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/cluster/rebalance");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(401, error.RootElement.GetProperty("status").GetInt32());
        Assert.DoesNotContain(Token, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Action_RightToken_IsCarriedOut()
    {
        await using var node = WebNodeFactory.With((TokenSetting, Token));
        using var client = Authorized(node.CreateRawClient(), Token);
        var self = node.Node.Cluster.Self.Address.ToString();

        using var response = await client.PostAsync($"/cluster/weight/{self}?value=3", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"{{\"action\":\"weight\",\"address\":\"{self}\",\"weight\":3}}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Action_TooManyWrongTokens_Returns429WithRetryAfter_EvenForTheRightTokenThen()
    {
        await using var node = WebNodeFactory.With((TokenSetting, Token), ("session-cluster:management:max-failed-attempts-per-minute", "3"));
        using var guesser = Authorized(node.CreateRawClient(), "guess");
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            using var wrong = await guesser.PostAsync("/cluster/rebalance", null);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var throttled = await guesser.PostAsync("/cluster/rebalance", null);
        using var right = await Authorized(node.CreateRawClient(), Token).PostAsync("/cluster/rebalance", null);

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        var retryAfter = throttled.Headers.RetryAfter?.Delta;
        Assert.True(retryAfter is { TotalSeconds: > 0 and <= 60 }, $"Retry-After {retryAfter} should be within the minute");
        using var error = JsonDocument.Parse(await throttled.Content.ReadAsStringAsync());
        Assert.Equal(429, error.RootElement.GetProperty("status").GetInt32());
        // The test server gives every client the same (unknown) address, so the right token is refused too: a throttled
        // client cannot go on guessing, right or wrong.
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
    }

    [Fact]
    public async Task MissingToken_IsNotCountedAsAFailedAttempt()
    {
        await using var node = WebNodeFactory.With((TokenSetting, Token), ("session-cluster:management:max-failed-attempts-per-minute", "1"));
        using var anonymous = node.CreateRawClient();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            using var missing = await anonymous.PostAsync("/cluster/rebalance", null);
            Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        }

        using var right = await Authorized(node.CreateRawClient(), Token).PostAsync($"/cluster/weight/{node.Node.Cluster.Self.Address}?value=1", null);

        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }

    [Theory]
    [InlineData("/cluster/members")]
    [InlineData("/cluster/node")]
    [InlineData("/cluster/shards")]
    [InlineData("/cluster/shards/local")]
    [InlineData("/metrics")]
    [InlineData("/dashboard")]
    public async Task Read_ByDefault_IsOpen(string path)
    {
        await using var node = WebNodeFactory.With((TokenSetting, Token));
        using var client = node.CreateRawClient();

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("/cluster/members")]
    [InlineData("/cluster/node")]
    [InlineData("/cluster/shards")]
    [InlineData("/cluster/shards/local")]
    [InlineData("/cluster/regions")]
    [InlineData("/cluster/sessions/0123456789abcdef0123456789abcdef")]
    [InlineData("/metrics")]
    [InlineData("/dashboard/summary")]
    public async Task Read_WithProtectReads_NeedsTheToken(string path)
    {
        await using var node = WebNodeFactory.With((TokenSetting, Token), ("session-cluster:management:protect-reads", "on"));

        using var anonymous = await node.CreateRawClient().GetAsync(path);
        var authorized = await Eventually.Value(
            async () => await Authorized(node.CreateRawClient(), Token).GetAsync(path),
            response => response.StatusCode == HttpStatusCode.OK,
            $"{path} with the token answers 200 once the coordinator is active");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, authorized.StatusCode);
        authorized.Dispose();
    }

    [Theory]
    [InlineData("/dashboard")]
    [InlineData("/dashboard/dashboard.js")]
    [InlineData("/dashboard/dashboard.css")]
    public async Task DashboardPage_WithProtectReads_IsServedWithoutTheToken_AndAsksForIt(string path)
    {
        // The page and its assets hold no data; the page asks for the token and sends it with each read.
        await using var node = WebNodeFactory.With((TokenSetting, Token), ("session-cluster:management:protect-reads", "on"));

        using var response = await node.CreateRawClient().GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        if (path == "/dashboard")
        {
            Assert.Contains("id=\"token-form\"", body, StringComparison.Ordinal);
        }
        else if (path.EndsWith(".js", StringComparison.Ordinal))
        {
            Assert.Contains("Authorization: `Bearer ${token}`", body, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/dashboard")]
    [InlineData("/dashboard/summary")]
    public async Task Dashboard_WithASeparateManagementPort_IsNotServedOnTheWebPort(string path)
    {
        await using var node = WebNodeFactory.With((TokenSetting, Token), ("session-cluster:management:port", "9876"));

        using var response = await Authorized(node.CreateRawClient(), Token).GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("/cluster/members")]
    [InlineData("/cluster/shards")]
    [InlineData("/cluster/events")]
    public async Task Read_WithASeparateManagementPort_IsNotServedOnTheWebPort(string path)
    {
        await using var node = WebNodeFactory.With((TokenSetting, Token), ("session-cluster:management:port", "9876"));
        using var client = Authorized(node.CreateRawClient(), Token);

        using var response = await client.GetAsync(path);
        using var session = await client.GetAsync("/session");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("session-cluster.management.port", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, session.StatusCode);
    }

    private static HttpClient Authorized(HttpClient client, string token)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
