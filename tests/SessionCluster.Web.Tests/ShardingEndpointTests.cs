using System.Net;
using System.Text.Json;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;
using SessionCluster.TestKit;
using SessionCluster.Web.Tests.Support;
using static SessionCluster.Web.Tests.Support.SessionRequests;

namespace SessionCluster.Web.Tests;

/// <summary><c>GET /cluster/shards</c>, <c>/cluster/shards/local</c> and <c>/cluster/sessions/{id}</c> on a single-node
/// cluster (every shard local), and the 503 a request gets when its shard has no home.</summary>
public sealed class ShardingEndpointTests
{
    [Fact]
    public async Task Shards_ListsEveryShardWithItsHomeEpochAndSessionCount()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();
        var session = await client.GetSession().ReadSession();
        var self = node.Node.Cluster.Self.Address.ToString();

        var table = await Eventually.Value(
            async () => JsonDocument.Parse(await client.GetStringAsync("/cluster/shards")),
            json => json.RootElement.GetProperty("shards").EnumerateArray().All(shard => shard.GetProperty("home").GetString() == self),
            "every shard allocated to the only worker");

        var root = table.RootElement;
        Assert.Equal(self, root.GetProperty("coordinator").GetString());
        var shards = root.GetProperty("shards").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(0, 100), shards.Select(shard => shard.GetProperty("id").GetInt32()));
        Assert.All(shards, shard => Assert.True(shard.GetProperty("epoch").GetInt64() > 0));
        Assert.Equal(1, shards.Sum(shard => shard.GetProperty("sessions").GetInt32()));
        var shardOfSession = ShardId.Of(Id(session.Id), 100);
        Assert.Equal(1, shards[shardOfSession].GetProperty("sessions").GetInt32());
    }

    [Fact]
    public async Task ShardsLocal_ListsTheShardsThisNodeHosts()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();
        await client.GetSession().ReadSession();
        await client.GetSession().ReadSession();

        // Shards are allocated eagerly but not instantly: the two sessions' shards are there, the rest follow soon.
        using var local = await Eventually.Value(
            async () => JsonDocument.Parse(await client.GetStringAsync("/cluster/shards/local")),
            json => json.RootElement.GetProperty("shards").GetArrayLength() == 100,
            "every shard started on the only worker");

        var root = local.RootElement;
        Assert.Equal(node.Node.Cluster.Self.Address.ToString(), root.GetProperty("node").GetString());
        Assert.True(root.GetProperty("hostsShards").GetBoolean());
        var shards = root.GetProperty("shards").EnumerateArray().ToList();
        Assert.Equal(100, shards.Count);
        Assert.All(shards, shard => Assert.True(shard.GetProperty("serving").GetBoolean()));
        Assert.Equal(2, shards.Sum(shard => shard.GetProperty("sessions").GetInt32()));
    }

    [Fact]
    public async Task Sessions_Id_SaysWhereTheSessionLives()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();
        var session = await client.GetSession().ReadSession();

        using var location = JsonDocument.Parse(await client.GetStringAsync($"/cluster/sessions/{session.Id}"));

        var root = location.RootElement;
        Assert.Equal(session.Id, root.GetProperty("id").GetString());
        Assert.Equal(ShardId.Of(Id(session.Id), 100), root.GetProperty("shard").GetInt32());
        Assert.Equal(node.Node.Cluster.Self.Address.ToString(), root.GetProperty("home").GetString());
        Assert.True(root.GetProperty("epoch").GetInt64() > 0);
    }

    [Theory]
    [InlineData("not-an-id")]
    [InlineData("0123456789abcdef0123456789abcdeZ")]
    [InlineData("0123456789abcdef")]
    public async Task Sessions_Id_Malformed_Is400(string id)
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();

        using var response = await client.GetAsync($"/cluster/sessions/{id}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("32 hex digits", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task FrontWithoutWorkers_AnswersSessionRequests503WithRetryAfterAndNoCookie()
    {
        // A front node alone: the cluster has no worker, so no shard can have a home. The request waits its
        // request-timeout (1 s here) in the region's buffer, then gets a clear 503 instead of hanging.
        await using var node = WebNodeFactory.With(
            ("session-cluster:node:roles:0", "front"), ("session-cluster:sessions:request-timeout", "1s"));
        using var client = node.CreateRawClient();

        using var response = await client.GetSession();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Contains("shard", await response.Content.ReadAsStringAsync());
        Assert.False(node.Node.HostsShards);
        Assert.Empty(node.Node.LocalShards.Counts());
    }

    [Fact]
    public async Task FrontWithoutWorkers_FullBuffer_Is503AtOnce()
    {
        await using var node = WebNodeFactory.With(
            ("session-cluster:node:roles:0", "front"), ("session-cluster:sessions:request-timeout", "30s"),
            ("session-cluster:sharding:buffer-size", "1"));
        using var client = node.CreateRawClient();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        // Two requests at once: whichever reaches the region first takes the one buffer slot and waits; the other
        // cannot wait and is refused at once.
        var requests = new[] { client.GetAsync("/session", cancel.Token), client.GetAsync("/session", cancel.Token) };
        var refused = await Task.WhenAny(requests);

        using var response = await refused;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("too many requests are waiting", await response.Content.ReadAsStringAsync());
        Assert.False(requests.Single(request => request != refused).IsCompleted);
        await cancel.CancelAsync();
    }

    private static SessionId Id(string text) => SessionId.TryParse(text, out var id) ? id : throw new FormatException(text);
}
