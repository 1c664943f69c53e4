using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SessionCluster.TestKit;
using SessionCluster.Web.Tests.Support;

namespace SessionCluster.Web.Tests;

/// <summary>The management API's documents and errors on a single-node cluster (the node is worker, coordinator and
/// oldest): members with <c>oldest</c>, <c>/cluster/node</c>, <c>/cluster/regions</c>, <c>/cluster/events</c>, the
/// session's backups, and 400/404 for bad addresses and values.</summary>
public sealed class ManagementApiTests : IAsyncLifetime
{
    private const string Token = "api-test-token";
    private readonly WebNodeFactory _node = WebNodeFactory.With(("session-cluster:management:token", Token));
    private HttpClient _client = null!;
    private string _self = "";

    public Task InitializeAsync()
    {
        _client = _node.CreateRawClient();
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        _self = _node.Node.Cluster.Self.Address.ToString();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _node.DisposeAsync();
    }

    [Theory]
    [InlineData("leave")]
    [InlineData("down")]
    [InlineData("drain")]
    [InlineData("weight")]
    public async Task Action_MalformedAddress_Returns400(string action)
    {
        using var response = await _client.PostAsync($"/cluster/{action}/not-an-address?value=1", null);

        await AssertError(response, HttpStatusCode.BadRequest, "not a cluster address");
    }

    [Theory]
    [InlineData("leave")]
    [InlineData("down")]
    [InlineData("drain")]
    [InlineData("weight")]
    public async Task Action_AddressNotAMember_Returns404(string action)
    {
        using var response = await _client.PostAsync($"/cluster/{action}/127.0.0.1:1?value=1", null);

        await AssertError(response, HttpStatusCode.NotFound, "127.0.0.1:1 is not a member");
    }

    [Theory]
    [InlineData("")]
    [InlineData("?value=")]
    [InlineData("?value=-1")]
    [InlineData("?value=101")]
    [InlineData("?value=2.5")]
    [InlineData("?value=ten")]
    public async Task Weight_BadValue_Returns400(string query)
    {
        using var response = await _client.PostAsync($"/cluster/weight/{_self}{query}", null);

        await AssertError(response, HttpStatusCode.BadRequest, "is not a weight");
    }

    [Fact]
    public async Task Members_NamesTheOldestUpWorker_AndEachMembersRoute()
    {
        using var members = await Eventually.Value(
            async () => JsonDocument.Parse(await _client.GetStringAsync("/cluster/members")),
            json => json.RootElement.GetProperty("oldest").ValueKind == JsonValueKind.String,
            "the node to be Up and so the oldest worker");

        Assert.Equal(_self, members.RootElement.GetProperty("oldest").GetString());
        Assert.Equal(_self, members.RootElement.GetProperty("self").GetString());
        var self = Assert.Single(members.RootElement.GetProperty("members").EnumerateArray());
        Assert.Equal(WebNodeFactory.DefaultRoute, self.GetProperty("route").GetString());
    }

    [Fact]
    public async Task Node_DescribesThisNode()
    {
        await _client.GetSession().ReadSession();

        using var node = JsonDocument.Parse(await _client.GetStringAsync("/cluster/node"));

        var root = node.RootElement;
        Assert.Equal(_self, root.GetProperty("address").GetString());
        Assert.Equal(WebNodeFactory.DefaultRoute, root.GetProperty("route").GetString());
        Assert.Equal(["worker"], root.GetProperty("roles").EnumerateArray().Select(role => role.GetString()));
        Assert.Equal(1, root.GetProperty("sessions").GetInt32());
        Assert.InRange(root.GetProperty("shards").GetInt32(), 1, 100);
        Assert.Equal(0, root.GetProperty("backups").GetInt32());
        Assert.True(root.GetProperty("requestsTotal").GetInt64() >= 2, "the session request and this one count");
        Assert.True(root.GetProperty("gcHeapBytes").GetInt64() > 0);
        Assert.True(root.GetProperty("workingSetBytes").GetInt64() > 0);
        Assert.True(root.GetProperty("threads").GetInt32() > 0);
        Assert.True(root.GetProperty("uptimeSeconds").GetDouble() >= 0);
    }

    [Fact]
    public async Task Regions_ListsTheCoordinatorsRegionsWithCountsAndTheWeightAnOperatorSet()
    {
        await _client.GetSession().ReadSession();
        using (var weighed = await _client.PostAsync($"/cluster/weight/{_self}?value=7", null))
        {
            Assert.Equal(HttpStatusCode.OK, weighed.StatusCode);
        }

        using var regions = await Eventually.Value(
            async () => JsonDocument.Parse(await _client.GetStringAsync("/cluster/regions")),
            json => json.RootElement.GetProperty("regions").EnumerateArray().Any(region =>
                region.GetProperty("shards").GetInt32() == 100 && region.GetProperty("weight").GetDouble() == 7 && region.GetProperty("sessions").GetInt32() == 1),
            "the only region with every shard, weight 7 and the one session");

        Assert.Equal(_self, regions.RootElement.GetProperty("coordinator").GetString());
        var region = Assert.Single(regions.RootElement.GetProperty("regions").EnumerateArray());
        Assert.Equal(_self, region.GetProperty("address").GetString());
        Assert.True(region.GetProperty("hostsShards").GetBoolean());
        Assert.False(region.GetProperty("draining").GetBoolean());
        Assert.Equal(0, region.GetProperty("backups").GetInt32());
    }

    [Fact]
    public async Task Rebalance_ActiveCoordinator_Returns202()
    {
        using var response = await Eventually.Value(
            () => _client.PostAsync("/cluster/rebalance", null),
            answer => answer.StatusCode != HttpStatusCode.ServiceUnavailable,
            "the coordinator to become active");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("{\"action\":\"rebalance\"}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task DownUnreachable_NobodyUnreachable_DownsNobody()
    {
        using var response = await _client.PostAsync("/cluster/down-unreachable", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"action\":\"down-unreachable\",\"downed\":[]}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Session_ListsItsShardsBackups()
    {
        var session = await _client.GetSession().ReadSession();

        using var location = JsonDocument.Parse(await _client.GetStringAsync($"/cluster/sessions/{session.Id}"));

        // One node: nowhere to keep a backup, but the property is there.
        Assert.Equal(JsonValueKind.Array, location.RootElement.GetProperty("backups").ValueKind);
        Assert.Equal(0, location.RootElement.GetProperty("backups").GetArrayLength());
    }

    [Fact]
    public async Task Events_StartsWithTheCurrentStateAsServerSentEvents()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/cluster/events");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        var line = await reader.ReadLineAsync(timeout.Token);
        var blank = await reader.ReadLineAsync(timeout.Token);

        Assert.NotNull(line);
        Assert.StartsWith("data: ", line, StringComparison.Ordinal);
        Assert.Equal(string.Empty, blank);
        using var snapshot = JsonDocument.Parse(line["data: ".Length..]);
        Assert.Equal("CurrentClusterState", snapshot.RootElement.GetProperty("type").GetString());
        Assert.Equal(_self, snapshot.RootElement.GetProperty("self").GetString());
        Assert.True(snapshot.RootElement.GetProperty("members").GetArrayLength() >= 1);
        Assert.True(DateTimeOffset.TryParse(snapshot.RootElement.GetProperty("at").GetString(), out _));
    }

    [Fact]
    public async Task Drain_ThisNode_Answers202ThenStopsTheHostAsSigtermWould()
    {
        var lifetime = _node.Services.GetRequiredService<IHostApplicationLifetime>();
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested);

        using var response = await _client.PostAsync($"/cluster/drain/{_self}", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"{{\"action\":\"drain\",\"address\":\"{_self}\"}}", await response.Content.ReadAsStringAsync());
        await Eventually.True(() => lifetime.ApplicationStopping.IsCancellationRequested, "the host to begin its graceful shutdown");
    }

    private static async Task AssertError(HttpResponseMessage response, HttpStatusCode status, string fragment)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        using var error = JsonDocument.Parse(body);
        Assert.Contains(fragment, error.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal((int)status, error.RootElement.GetProperty("status").GetInt32());
    }
}
