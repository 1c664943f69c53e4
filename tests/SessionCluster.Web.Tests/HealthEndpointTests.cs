using System.Net;
using SessionCluster.Web.Tests.Support;
using static SessionCluster.Web.Tests.Support.SessionRequests;

namespace SessionCluster.Web.Tests;

/// <summary><c>/health/live</c> (the process answers) and <c>/health/ready</c> (the node takes session requests).</summary>
public sealed class HealthEndpointTests
{
    [Fact]
    public async Task Live_RunningNode_Returns200()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();

        using var response = await client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("{\"status\":\"live\"}", await response.Content.ReadAsStringAsync());
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task Stopping_WithShutdownDelay_NotReadyButStillServing_EveryResponseClosesItsConnection()
    {
        await using var node = WebNodeFactory.With(("session-cluster:http:shutdown-delay", "60s"));
        using var client = node.CreateRawClient();
        using (var before = await client.GetSession())
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
            Assert.NotEqual(true, before.Headers.ConnectionClose);
        }

        using var hostStopping = new CancellationTokenSource();
        var lameDuck = node.Node.StoppingAsync(hostStopping.Token);

        using (var ready = await client.GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }

        using (var served = await client.GetSession())
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            Assert.True(served.Headers.ConnectionClose, "a response during the shutdown delay must close its connection");
        }

        Assert.False(lameDuck.IsCompleted, "the node must keep serving for the whole http.shutdown-delay");
        await hostStopping.CancelAsync();
        await lameDuck;
    }

    [Fact]
    public async Task Ready_StartedNode_Returns200WithRoute()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();

        using var response = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("{\"status\":\"ready\",\"route\":\"localhost-5000\"}", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, await node.LiveSessionCount());
    }

    [Fact]
    public async Task Ready_ConfiguredRoute_NamesIt()
    {
        await using var node = WebNodeFactory.With(("session-cluster:node:route", "worker_7"));
        using var client = node.CreateRawClient();

        var body = await client.GetStringAsync("/health/ready");

        Assert.Equal("{\"status\":\"ready\",\"route\":\"worker_7\"}", body);
    }

    [Fact]
    public async Task Ready_NodeStopping_Returns503WithRetryAfterWhileLiveStays200()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();
        await client.GetAsync("/health/ready");

        await node.Node.StopAsync(CancellationToken.None);
        using var ready = await client.GetAsync("/health/ready");
        using var live = await client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("1", Assert.Single(ready.Headers.GetValues("Retry-After")));
        Assert.Equal("{\"error\":\"The node is starting or stopping.\",\"status\":503}", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }
}
