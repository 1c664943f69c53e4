using System.Net;
using System.Text.Json;
using SessionCluster.TestKit;
using SessionCluster.Web.Tests.Support;

namespace SessionCluster.Web.Tests;

/// <summary><c>GET /metrics</c> on a web node: the Prometheus exposition, and session requests counted by route, method and status class.</summary>
/// <remarks>The meter is process-wide and other tests send session requests at the same time, so a count is checked
/// to have grown by at least what this test sent.</remarks>
public sealed class MetricsEndpointTests
{
    private static readonly (string, string)[] GetSessionOk = [("route", "/session"), ("method", "GET"), ("status", "2xx")];

    [Fact]
    public async Task Metrics_RunningNode_PrometheusTextThatParses()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();

        using var response = await client.GetAsync("/metrics");
        var exposition = PrometheusExposition.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("gauge", exposition.Families["sessioncluster_shards_hosted"].Type);
        Assert.True(exposition.Value("sessioncluster_members_up") >= 1);
        Assert.True(exposition.Value("sessioncluster_process_memory_working_set_bytes") > 0);
        Assert.Equal("gauge", exposition.Families["sessioncluster_sessions_hosted"].Type);
    }

    [Fact]
    public async Task GarbageOnTheClusterPort_CountedAsARefusedConnection()
    {
        await using var node = new WebNodeFactory();
        using var scraper = node.CreateRawClient();
        var before = (await Scrape(scraper)).Find("sessioncluster_remote_connections_refused_total") ?? 0;
        var cluster = node.Node.Cluster.Self.Address;

        using (var garbage = new System.Net.Sockets.TcpClient())
        {
            await garbage.ConnectAsync(cluster.Host, cluster.Port);
            var stream = garbage.GetStream();
            await stream.WriteAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
            using var deadline = new CancellationTokenSource(Eventually.DefaultDeadline);
            while (await stream.ReadAsync(new byte[256], deadline.Token) > 0)
            {
                // The node closes the connection on the first bytes that are not a handshake.
            }
        }

        await Eventually.True(
            async () => (await Scrape(scraper)).Value("sessioncluster_remote_connections_refused_total") >= before + 1,
            "the refused connection is counted");
        var after = await Scrape(scraper);
        Assert.Equal("counter", after.Families["sessioncluster_remote_connections_refused_total"].Type);
        Assert.Equal("gauge", after.Families["sessioncluster_remote_outbound_queued_size_bytes"].Type);
    }

    [Fact]
    public async Task SessionRequest_Answered_IncrementsTheRequestCounterAndHistogramOfItsRoute()
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();
        using var scraper = node.CreateRawClient();
        var before = await Scrape(scraper);

        (await browser.GetAsync("/session")).EnsureSuccessStatusCode();
        using var rejected = await browser.PutAsync("/session/attributes/x", new StringContent("not json"));
        var after = await Scrape(scraper);

        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        Assert.True(after.Value("sessioncluster_http_requests_total", GetSessionOk) >= (before.Find("sessioncluster_http_requests_total", GetSessionOk) ?? 0) + 1);
        (string, string)[] putRejected = [("route", "/session/attributes/{name}"), ("method", "PUT"), ("status", "4xx")];
        Assert.True(after.Value("sessioncluster_http_requests_total", putRejected) >= (before.Find("sessioncluster_http_requests_total", putRejected) ?? 0) + 1);
        Assert.True(after.Value("sessioncluster_http_request_duration_seconds_count", GetSessionOk) >= 1);
        Assert.True(after.Value("sessioncluster_sessions_hosted") >= 1);
    }

    [Fact]
    public async Task OtherEndpoints_NotCountedAsSessionRequests()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();

        (await client.GetAsync("/health/live")).EnsureSuccessStatusCode();
        var exposition = await Scrape(client);

        Assert.DoesNotContain(exposition.Samples, sample => sample.Labels.TryGetValue("route", out var route) && !route.StartsWith("/session", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dashboard_Page_HtmlWithItsOwnScriptAndStyleAndNothingFromElsewhere()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();

        using var page = await client.GetAsync("/dashboard");
        var html = await page.Content.ReadAsStringAsync();
        using var script = await client.GetAsync("/dashboard/dashboard.js");
        using var style = await client.GetAsync("/dashboard/dashboard.css");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", string.Join(";", page.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Contains("<script src=\"/dashboard/dashboard.js\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/cluster/shards", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, style.StatusCode);
        Assert.Equal("text/css", style.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task DashboardSummary_AfterASessionRequest_CountsItAndProcessFigures()
    {
        await using var node = new WebNodeFactory();
        using var browser = node.CreateBrowser();
        (await browser.GetAsync("/session")).EnsureSuccessStatusCode();

        using var document = JsonDocument.Parse(await browser.GetStringAsync("/dashboard/summary"));
        var summary = document.RootElement;

        Assert.True(summary.GetProperty("requestsTotal").GetDouble() >= 1);
        Assert.True(summary.GetProperty("gcHeapBytes").GetInt64() > 0);
        Assert.True(summary.GetProperty("workingSetBytes").GetInt64() > 0);
        Assert.True(summary.GetProperty("uptimeSeconds").GetDouble() >= 0);
        Assert.Equal(JsonValueKind.Number, summary.GetProperty("handoffs").ValueKind);
        Assert.Equal(JsonValueKind.Number, summary.GetProperty("failovers").ValueKind);
    }

    private static async Task<PrometheusExposition> Scrape(HttpClient client) =>
        PrometheusExposition.Parse(await client.GetStringAsync("/metrics"));
}
