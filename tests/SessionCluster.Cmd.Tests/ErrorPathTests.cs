using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using SessionCluster.Cmd.Tests.Support;

namespace SessionCluster.Cmd.Tests;

/// <summary>Every way a node can fail sessionctl ends in one stderr line, nothing on stdout, and the documented exit code.</summary>
public sealed class ErrorPathTests
{
    private static void AssertOneErrorLine((int ExitCode, CliRun Run) result, int exitCode, string contains)
    {
        Assert.True(result.ExitCode == exitCode, $"exit code {result.ExitCode}, expected {exitCode}; stderr: {result.Run.Stderr}");
        var lines = result.Run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("sessionctl: ", line, StringComparison.Ordinal);
        Assert.True(line.Contains(contains, StringComparison.Ordinal), $"stderr '{line}' lacks '{contains}'");
        Assert.Equal("", result.Run.Stdout);
    }

    [Fact]
    public async Task Unauthorized_WithoutToken_SaysHowToPassIt()
    {
        await using var node = await CannedNode.AnsweringAsync(401, """{"error":"A management token is required.","status":401}""");

        var result = await CliRun.RunAsync(["--node", node.Address, "cluster", "down", "127.0.0.1:4055"]);

        AssertOneErrorLine(result, ExitCodes.Refused, $"{node.Address} answered 401 Unauthorized: A management token is required. Pass the management token with --token or SESSIONCTL_TOKEN.");
        Assert.Null(Assert.Single(node.Requests).Authorization);
    }

    [Fact]
    public async Task Unauthorized_WithToken_SaysTheTokenWasRefused()
    {
        await using var node = await CannedNode.AnsweringAsync(401, """{"error":"The token is wrong.","status":401}""");

        var result = await CliRun.RunAsync(["--node", node.Address, "--token", "s3cret", "node", "drain", "127.0.0.1:4055"]);

        AssertOneErrorLine(result, ExitCodes.Refused, "answered 401 Unauthorized: The token is wrong. Check the token given with --token or SESSIONCTL_TOKEN.");
        Assert.Equal("Bearer s3cret", Assert.Single(node.Requests).Authorization);
    }

    [Fact]
    public async Task Forbidden_ActionsDisabled_NodeSentenceShown()
    {
        await using var node = await CannedNode.AnsweringAsync(403, """{"error":"Management actions are disabled: set session-cluster.management.token.","status":403}""");

        var result = await CliRun.RunAsync(["--node", node.Address, "cluster", "leave", "127.0.0.1:4055"]);

        AssertOneErrorLine(result, ExitCodes.Refused, "answered 403 Forbidden: Management actions are disabled: set session-cluster.management.token");
    }

    [Fact]
    public async Task NotFound_WithErrorDocument_IsNotAMember()
    {
        await using var node = await CannedNode.AnsweringAsync(404, """{"error":"127.0.0.1:4999 is not a member.","status":404}""");

        var result = await CliRun.RunAsync(["--node", node.Address, "--token", "t", "node", "weight", "127.0.0.1:4999", "2"]);

        AssertOneErrorLine(result, ExitCodes.Refused, "answered 404 Not Found: 127.0.0.1:4999 is not a member");
    }

    [Fact]
    public async Task NotFound_WithoutBody_EndpointMissing()
    {
        await using var node = await CannedNode.StartAsync(http =>
        {
            http.Response.StatusCode = 404;
            return Task.CompletedTask;
        });

        var result = await CliRun.RunAsync(["--node", node.Address, "sharding", "regions"]);

        AssertOneErrorLine(result, ExitCodes.Refused, $"{node.Address} has no GET /cluster/regions (404 Not Found)");
    }

    [Fact]
    public async Task ServiceUnavailable_RetryAfterShown()
    {
        await using var node = await CannedNode.AnsweringAsync(503, """{"error":"The shard region is not running: starting.","status":503}""", retryAfter: "1");

        var result = await CliRun.RunAsync(["--node", node.Address, "sharding", "shards"]);

        AssertOneErrorLine(result, ExitCodes.Refused, "answered 503 Service Unavailable: The shard region is not running: starting. Retry after 1 s.");
    }

    [Fact]
    public async Task TooManyRequests_RetryAfterShown()
    {
        await using var node = await CannedNode.AnsweringAsync(429, """{"error":"Too many wrong management tokens from 127.0.0.1; try again later.","status":429}""", retryAfter: "42");

        var result = await CliRun.RunAsync(["--node", node.Address, "--token", "guess", "node", "drain", "127.0.0.1:4055"]);

        AssertOneErrorLine(result, ExitCodes.Refused, "answered 429 Too Many Requests: Too many wrong management tokens from 127.0.0.1; try again later. Retry after 42 s.");
    }

    [Fact]
    public async Task ErrorWithMultiLineBody_StillOneLine()
    {
        await using var node = await CannedNode.StartAsync(http =>
        {
            http.Response.StatusCode = 500;
            return http.Response.WriteAsync("<html>\n<body>\nboom\n</body>\n</html>\n");
        });

        var result = await CliRun.RunAsync(["--node", node.Address, "cluster", "show"]);

        AssertOneErrorLine(result, ExitCodes.Refused, "answered 500 Internal Server Error: <html> <body> boom </body> </html>");
    }

    [Theory]
    [InlineData("this is not json")]
    [InlineData("""{"self":"a:1","converged":true}""")]
    [InlineData("")]
    public async Task Success_WithGarbage_BadAnswer(string body)
    {
        await using var node = await CannedNode.AnsweringAsync(200, body);

        var result = await CliRun.RunAsync(["--node", node.Address, "cluster", "show"]);

        AssertOneErrorLine(result, ExitCodes.BadAnswer, $"{node.Address} answered /cluster/members with something other than the management API's JSON");
    }

    [Fact]
    public async Task ConnectionClosedWithoutAnswer_Unreachable()
    {
        await using var node = await CannedNode.StartAsync(http =>
        {
            http.Abort();
            return Task.CompletedTask;
        });

        var result = await CliRun.RunAsync(["--node", node.Address, "cluster", "show"]);

        AssertOneErrorLine(result, ExitCodes.Unreachable, $"{node.Address} closed the connection without a valid answer to GET /cluster/members");
    }

    [Fact]
    public async Task NoAnswerInTime_Unreachable_NamesTheTimeout()
    {
        await using var node = await CannedNode.StartAsync(http => Task.Delay(Timeout.Infinite, http.RequestAborted));

        var result = await CliRun.RunAsync(["--node", node.Address, "--timeout", "0.3", "sharding", "stats"]);

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.Contains("did not answer GET /cluster/", result.Run.Stderr, StringComparison.Ordinal);
        Assert.Contains("within 0.3 s (--timeout)", result.Run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NothingListening_Unreachable_SaysHowToPickANode()
    {
        var port = ClosedPort();

        var result = await CliRun.RunAsync(["--node", $"127.0.0.1:{port}", "cluster", "show"]);

        AssertOneErrorLine(result, ExitCodes.Unreachable, $"cannot reach the node at 127.0.0.1:{port}: Connection refused. Is it running? Pick a node with --node or SESSIONCTL_NODE.");
    }

    [Theory]
    [InlineData(new[] { "cluster" }, "Required command was not provided")]
    [InlineData(new[] { "cluster", "leave" }, "Required argument missing for command: 'leave'")]
    [InlineData(new[] { "cluster", "down", "not an address" }, "'not an address' is neither a cluster address nor a route name")]
    [InlineData(new[] { "node", "drain", "w1.x" }, "'w1.x' is neither a cluster address nor a route name")]
    [InlineData(new[] { "node", "weight", "127.0.0.1:4054", "101" }, "weight 101 is out of range")]
    [InlineData(new[] { "node", "weight", "127.0.0.1:4054", "-1" }, "weight -1 is out of range")]
    [InlineData(new[] { "node", "weight", "127.0.0.1:4054", "two" }, "two")]
    [InlineData(new[] { "--node", "127.0.0.1:5000/x", "cluster", "show" }, "has a path")]
    [InlineData(new[] { "--timeout", "0", "cluster", "show" }, "--timeout 0 is out of range")]
    [InlineData(new[] { "sharding", "shards", "--home", "worker-1:http" }, "--home 'worker-1:http' is neither a cluster address nor a route name")]
    [InlineData(new[] { "frobnicate" }, "frobnicate")]
    public async Task UsageErrors_OneLine_ExitCode2_NothingSent(string[] args, string contains)
    {
        await using var node = await CannedNode.AnsweringAsync(200, "{}");

        var result = await CliRun.RunAsync(args, new() { ["SESSIONCTL_NODE"] = node.Address });

        AssertOneErrorLine(result, ExitCodes.Usage, contains);
        Assert.EndsWith("See 'sessionctl --help'.", result.Run.Stderr.TrimEnd(), StringComparison.Ordinal);
        Assert.Empty(node.Requests);
    }

    /// <summary>A port nothing listens on: bound once to learn it, then released.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
