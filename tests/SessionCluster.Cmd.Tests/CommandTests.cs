using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SessionCluster.Cmd.Tests.Support;

namespace SessionCluster.Cmd.Tests;

/// <summary>Each command end to end against a canned node: the request it sends and what it prints.</summary>
public sealed class CommandTests
{
    /// <summary>A node answering the reads with the canned documents and echoing each action as the API does.</summary>
    private static Task<CannedNode> StartNodeAsync() => CannedNode.StartAsync(http =>
    {
        var path = http.Request.Path.Value ?? "";
        http.Response.ContentType = "application/json";
        var action = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray();
        return http.Request.Method switch
        {
            "GET" when path == "/cluster/members" => http.Response.WriteAsync(CannedJson.Members),
            "GET" when path == "/cluster/shards" => http.Response.WriteAsync(CannedJson.Shards),
            "GET" when path == "/cluster/regions" => http.Response.WriteAsync(CannedJson.Regions),
            "GET" when path.StartsWith("/cluster/sessions/", StringComparison.Ordinal) => http.Response.WriteAsync(CannedJson.Location),
            "POST" when action is ["rebalance"] => Accepted(http, """{"action":"rebalance"}"""),
            "POST" when action is ["down-unreachable"] => http.Response.WriteAsync("""{"action":"down-unreachable","downed":["127.0.0.1:4055"]}"""),
            "POST" when action is ["weight", var address] => http.Response.WriteAsync($$"""{"action":"weight","address":"{{address}}","weight":{{http.Request.Query["value"]}}}"""),
            "POST" when action is [var verb, var address] => Accepted(http, $$"""{"action":"{{verb}}","address":"{{address}}"}"""),
            _ => NotFound(http),
        };
    });

    private static Task Accepted(HttpContext http, string body)
    {
        http.Response.StatusCode = 202;
        return http.Response.WriteAsync(body);
    }

    private static Task NotFound(HttpContext http)
    {
        http.Response.StatusCode = 404;
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ClusterShow_Json_TheNodesDocumentAsSent()
    {
        await using var node = await StartNodeAsync();

        var (exitCode, run) = await CliRun.RunAsync(["cluster", "show", "--json", "--node", node.Address]);

        Assert.Equal(0, exitCode);
        Assert.Equal(CannedJson.Members.Trim(), run.Stdout.Trim());
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task ClusterShow_Table()
    {
        await using var node = await StartNodeAsync();

        var (exitCode, run) = await CliRun.RunAsync(["--node", node.Address, "cluster", "show"]);

        Assert.Equal(0, exitCode);
        Assert.Contains("5 members: 4 Up, 1 Leaving; 1 unreachable; leader 127.0.0.1:4053; not converged", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeFromEnvironment_UnlessNodeOptionGiven()
    {
        await using var node = await StartNodeAsync();

        var (fromEnvironment, _) = await CliRun.RunAsync(["cluster", "leader"], new() { ["SESSIONCTL_NODE"] = node.Address });
        var (overridden, run) = await CliRun.RunAsync(["cluster", "leader", "--node", "127.0.0.1:1"], new() { ["SESSIONCTL_NODE"] = node.Address });

        Assert.Equal(0, fromEnvironment);
        Assert.Equal(ExitCodes.Unreachable, overridden);
        Assert.Contains("127.0.0.1:1", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenFromEnvironment_SentAsBearer()
    {
        await using var node = await StartNodeAsync();

        var (exitCode, run) = await CliRun.RunAsync(["--node", node.Address, "cluster", "down-unreachable"], new() { ["SESSIONCTL_TOKEN"] = "from-env" });

        Assert.Equal(0, exitCode);
        Assert.Equal(("POST", "/cluster/down-unreachable", "Bearer from-env"), node.Requests.Select(r => (r.Method, r.Path, r.Authorization)).Single());
        Assert.Equal("Downed 1 unreachable member: 127.0.0.1:4055.", run.Stdout.Trim());
    }

    [Fact]
    public async Task ClusterLeader_Json_ComputedShape()
    {
        await using var node = await StartNodeAsync();

        var (exitCode, run) = await CliRun.RunAsync(["--node", node.Address, "--json", "cluster", "leader"]);

        Assert.Equal(0, exitCode);
        Assert.Equal("""{"leader":"127.0.0.1:4053","oldest":"127.0.0.1:4054","self":"127.0.0.1:4060"}""", run.Stdout.Trim());
    }

    [Theory]
    [InlineData(new[] { "cluster", "leave", "127.0.0.1:4055" }, "/cluster/leave/127.0.0.1:4055", "", """{"action":"leave","address":"127.0.0.1:4055"}""")]
    [InlineData(new[] { "cluster", "down", "127.0.0.1:4055" }, "/cluster/down/127.0.0.1:4055", "", """{"action":"down","address":"127.0.0.1:4055"}""")]
    [InlineData(new[] { "node", "drain", "127.0.0.1:4056" }, "/cluster/drain/127.0.0.1:4056", "", """{"action":"drain","address":"127.0.0.1:4056"}""")]
    [InlineData(new[] { "sharding", "rebalance" }, "/cluster/rebalance", "", """{"action":"rebalance"}""")]
    [InlineData(new[] { "node", "weight", "127.0.0.1:4056", "0" }, "/cluster/weight/127.0.0.1:4056", "?value=0", """{"action":"weight","address":"127.0.0.1:4056","weight":0}""")]
    public async Task Actions_PostToTheContractPath_JsonIsTheNodesAnswer(string[] args, string path, string query, string answer)
    {
        await using var node = await StartNodeAsync();

        var (exitCode, run) = await CliRun.RunAsync(["--node", node.Address, "--token", "t", "--json", .. args]);

        Assert.True(exitCode == 0, run.Stderr);
        var request = Assert.Single(node.Requests);
        Assert.Equal(("POST", path, query, "Bearer t"), (request.Method, request.Path, request.Query, request.Authorization));
        Assert.Equal(answer, run.Stdout.Trim());
    }

    [Theory]
    [InlineData(new[] { "node", "drain", "self" }, "/cluster/drain/127.0.0.1:4060", "")]
    [InlineData(new[] { "cluster", "leave", "self" }, "/cluster/leave/127.0.0.1:4060", "")]
    [InlineData(new[] { "node", "weight", "self", "2" }, "/cluster/weight/127.0.0.1:4060", "?value=2")]
    [InlineData(new[] { "node", "drain", "w2" }, "/cluster/drain/127.0.0.1:4055", "")]
    [InlineData(new[] { "cluster", "down", "w2" }, "/cluster/down/127.0.0.1:4055", "")]
    [InlineData(new[] { "node", "weight", "front", "0" }, "/cluster/weight/127.0.0.1:4060", "?value=0")]
    public async Task Actions_OnSelfOrARouteName_AskTheNodeTheAddressThenActOnIt(string[] args, string path, string query)
    {
        await using var node = await StartNodeAsync();

        var (exitCode, run) = await CliRun.RunAsync(["--node", node.Address, "--token", "t", "--json", .. args]);

        Assert.True(exitCode == 0, run.Stderr);
        Assert.Equal(
            [("GET", "/cluster/members", ""), ("POST", path, query)],
            node.Requests.Select(request => (request.Method, request.Path, request.Query)));
    }

    [Fact]
    public async Task ClusterDown_Self_IsAUsageError_NothingSent()
    {
        await using var node = await StartNodeAsync();

        var (exitCode, run) = await CliRun.RunAsync(["--node", node.Address, "--token", "t", "cluster", "down", "self"]);

        Assert.Equal(2, exitCode);
        Assert.Contains("'self' is not allowed here", run.Stderr);
        Assert.Empty(node.Requests);
    }

    [Fact]
    public async Task Action_OnARouteNoMemberHas_IsRefused_ListingTheRoutes_NothingPosted()
    {
        await using var node = await StartNodeAsync();

        var (exitCode, run) = await CliRun.RunAsync(["--node", node.Address, "--token", "t", "node", "drain", "w9"]);

        Assert.Equal(ExitCodes.Refused, exitCode);
        Assert.Contains("no member has the route 'w9'; the routes are: front, w1, w2.", run.Stderr);
        Assert.Equal([("GET", "/cluster/members")], node.Requests.Select(request => (request.Method, request.Path)));
    }

    [Fact]
    public async Task NodeWeight_Table_OneSentence()
    {
        await using var node = await StartNodeAsync();

        var (exitCode, run) = await CliRun.RunAsync(["--node", node.Address, "--token", "t", "node", "weight", "127.0.0.1:4056", "3"]);

        Assert.Equal(0, exitCode);
        Assert.Equal("127.0.0.1:4056 now has capacity weight 3.", run.Stdout.Trim());
    }

    [Theory]
    [InlineData("127.0.0.1:4055")]
    [InlineData("w2")]
    public async Task ShardingShards_HomeFilter_ByAddressOrRoute_JsonKeepsTheShape(string home)
    {
        await using var node = await StartNodeAsync();

        var (exitCode, run) = await CliRun.RunAsync(["--node", node.Address, "sharding", "shards", "--home", home, "--json"]);

        Assert.Equal(0, exitCode);
        using var document = JsonDocument.Parse(run.Stdout);
        Assert.Equal("127.0.0.1:4054", document.RootElement.GetProperty("coordinator").GetString());
        Assert.Equal([1, 4], document.RootElement.GetProperty("shards").EnumerateArray().Select(shard => shard.GetProperty("id").GetInt32()));
        Assert.Equal(20, document.RootElement.GetProperty("shards")[0].GetProperty("sessions").GetInt64());
    }

    [Fact]
    public async Task ShardingStats_Json_DocumentedShape()
    {
        await using var node = await StartNodeAsync();

        var (exitCode, run) = await CliRun.RunAsync(["--node", node.Address, "sharding", "stats", "--json"]);

        Assert.Equal(0, exitCode);
        Assert.Equal(
            """{"coordinator":"127.0.0.1:4054","shards":6,"unassigned":1,"sessions":36,"nodes":[""" +
            """{"address":"127.0.0.1:4054","roles":["worker"],"status":"Up","shards":3,"backups":1,"sessions":11,"route":"w1"},""" +
            """{"address":"127.0.0.1:4055","roles":["worker"],"status":"Up","shards":2,"backups":2,"sessions":25,"route":"w2"},""" +
            """{"address":"127.0.0.1:4056","roles":["worker"],"status":"Leaving","shards":0,"backups":2,"sessions":0,"route":null}]}""",
            run.Stdout.Trim());
    }

    [Fact]
    public async Task ShardingRegions_Table()
    {
        await using var node = await StartNodeAsync();

        var (exitCode, run) = await CliRun.RunAsync(["--node", node.Address, "sharding", "regions"]);

        Assert.Equal(0, exitCode);
        Assert.Contains("3 regions, 2 hosting shards; coordinator 127.0.0.1:4054", run.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"127\.0\.0\.1:4055\s+│ w2\s+│ yes", run.Stdout);
    }

    [Fact]
    public async Task SessionLocate_CookieValue_AsksForTheIdOnly()
    {
        await using var node = await StartNodeAsync();

        var (exitCode, run) = await CliRun.RunAsync(["--node", node.Address, "session", "locate", "0123456789abcdef0123456789abcdef.worker-2", "--json"]);

        Assert.Equal(0, exitCode);
        Assert.Equal("/cluster/sessions/0123456789abcdef0123456789abcdef", Assert.Single(node.Requests).Path);
        Assert.Equal(CannedJson.Location.Trim(), run.Stdout.Trim());
    }
}
