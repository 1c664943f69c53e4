using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using SessionCluster.Hosting.Tests.Support;

namespace SessionCluster.Hosting.Tests;

/// <summary>An ordinary ASP.NET Core app on Kestrel at 127.0.0.1 built from two lines, <c>builder.AddSessionCluster()</c>
/// and <c>app.MapSessionClusterEndpoints()</c>, serves the session contract, health, the cluster reads, /metrics and
/// the management actions (behind the token) like a SessionCluster.Web node.</summary>
public sealed class MapSessionClusterEndpointsTests
{
    private const string Token = "test-token-7c1f";

    [Fact]
    public async Task TwoLineApp_ServesTheSessionContract_CreatePutIncrementReadBack()
    {
        await using var app = await StartApp();
        using var browser = Browser(app);

        using var created = await browser.GetAsync("/session");
        var id = (await Json(created)).GetProperty("id").GetString();
        using var put = await browser.PutAsync("/session/attributes/color", new StringContent("\"blue\"", Encoding.UTF8, "application/json"));
        using var first = await browser.PostAsync("/session/attributes/visits/increment", null);
        using var second = await browser.PostAsync("/session/attributes/visits/increment?by=41", null);
        using var attribute = await browser.GetAsync("/session/attributes/visits");
        using var read = await browser.GetAsync("/session");
        var session = await Json(read);

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.StartsWith($"SESSIONID={id}.app-1;", created.Headers.GetValues("Set-Cookie").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("{\"name\":\"visits\",\"value\":42}", await attribute.Content.ReadAsStringAsync());
        Assert.Equal(id, session.GetProperty("id").GetString());
        Assert.Equal("app-1", session.GetProperty("servedBy").GetString());
        Assert.Equal("blue", session.GetProperty("attributes").GetProperty("color").GetString());
        Assert.Equal(42, session.GetProperty("attributes").GetProperty("visits").GetInt64());
    }

    [Fact]
    public async Task TwoLineApp_ServesHealthAndTheClusterReads()
    {
        await using var app = await StartApp();
        using var client = Browser(app);

        using var ready = await client.GetAsync("/health/ready");
        using var live = await client.GetAsync("/health/live");
        var shards = await Json(await client.GetAsync("/cluster/shards"));
        var members = await Json(await client.GetAsync("/cluster/members"));

        Assert.Equal("{\"status\":\"ready\",\"route\":\"app-1\"}", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.NotEqual(JsonValueKind.Null, shards.GetProperty("coordinator").ValueKind);
        Assert.True(shards.GetProperty("shards").GetArrayLength() > 0, shards.ToString());
        Assert.Equal(1, members.GetProperty("members").GetArrayLength());
    }

    [Fact]
    public async Task ManagementAction_WithoutOrWithAWrongToken_Is401_AndTheTokenIsAccepted()
    {
        await using var app = await StartApp();
        using var client = Browser(app);

        using var missing = await client.PostAsync("/cluster/rebalance", null);
        using var wrong = await Send(client, HttpMethod.Post, "/cluster/rebalance", "not-the-token");
        using var right = await Send(client, HttpMethod.Post, "/cluster/rebalance", Token);

        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, right.StatusCode);
    }

    [Fact]
    public async Task EveryRequest_CountedOnceForClusterNode_AndSessionRequestsMeasuredForMetrics()
    {
        await using var app = await StartApp();
        using var client = Browser(app);

        (await client.GetAsync("/session")).EnsureSuccessStatusCode();
        (await client.GetAsync("/health/live")).EnsureSuccessStatusCode();
        using var missing = await client.GetAsync("/no-such-page");
        var node = await Json(await client.GetAsync("/cluster/node"));
        var metrics = await client.GetStringAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        // Three requests before it, and itself: one middleware, one count each, also for a path nothing maps.
        Assert.Equal(4, node.GetProperty("requestsTotal").GetInt64());
        Assert.Contains("sessioncluster_http_requests_total{method=\"GET\",route=\"/session\",status=\"2xx\"}", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MappedUnderAPrefix_ServesAndMeasuresTheContractThere()
    {
        await using var app = await StartApp(endpoints => endpoints.MapGroup("/api").MapSessionClusterEndpoints());
        using var client = Browser(app);

        using var session = await client.GetAsync("/api/session");
        using var unprefixed = await client.GetAsync("/session");
        var metrics = await client.GetStringAsync("/api/metrics");

        Assert.Equal(HttpStatusCode.OK, session.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unprefixed.StatusCode);
        Assert.Contains("sessioncluster_http_requests_total{method=\"GET\",route=\"/api/session\",status=\"2xx\"}", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShoppingCartSample_ServesTheNodesEndpointsBesideItsCart()
    {
        await using var cart = new CartFactory();
        using var browser = cart.CreateBrowser();

        using var ready = await browser.GetAsync("/health/ready");
        using var members = await browser.GetAsync("/cluster/members");
        using var item = await browser.PostAsync("/cart/items/apple?quantity=2", null);

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, members.StatusCode);
        Assert.Equal(HttpStatusCode.OK, item.StatusCode);
    }

    [Fact]
    public void WithoutAddSessionCluster_MappingSaysWhatIsMissing()
    {
        var builder = WebApplication.CreateBuilder();
        var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapSessionClusterEndpoints());

        Assert.Contains("AddSessionCluster()", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The app under test: an ordinary WebApplication on a free loopback port, the cluster's settings in its own
    /// configuration (route, token), composed by the two lines the README shows.</summary>
    private static async Task<LoopbackApp> StartApp(Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["session-cluster:node:route"] = "app-1",
            ["session-cluster:management:token"] = Token,
        });

        builder.AddSessionCluster();
        var app = builder.Build();
        if (map is null)
        {
            app.MapSessionClusterEndpoints();
        }
        else
        {
            map(app);
        }

        await app.StartAsync();
        return new LoopbackApp(app);
    }

    /// <summary>A client that keeps cookies like a browser.</summary>
    private static HttpClient Browser(LoopbackApp app) =>
        new(new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = app.Address };

    private static Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string path, string token)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client.SendAsync(request);
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
