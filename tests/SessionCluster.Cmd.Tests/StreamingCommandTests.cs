using Microsoft.AspNetCore.Http;
using SessionCluster.Cmd.Tests.Support;
using SessionCluster.TestKit;

namespace SessionCluster.Cmd.Tests;

/// <summary><c>cluster tail</c> and <c>sharding watch</c>: they run until cancelled (Ctrl+C), which is a success.</summary>
public sealed class StreamingCommandTests
{
    private const string Snapshot = """{"type":"CurrentClusterState","self":"127.0.0.1:4053","leader":"127.0.0.1:4053","converged":true,"members":[{"address":"127.0.0.1:4053","uid":"1","status":"Up","roles":["lighthouse"],"reachable":true,"upNumber":1}]}""";
    private const string MemberUp = """{"type":"MemberUp","address":"127.0.0.1:4054","status":"Up","at":"2026-11-22T01:02:03Z"}""";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private static async Task Events(HttpContext http, bool thenEnd)
    {
        http.Response.ContentType = "text/event-stream";
        await http.Response.WriteAsync($"data: {Snapshot}\n\n: keep-alive\n\n");
        await http.Response.Body.FlushAsync();
        await http.Response.WriteAsync($"data: {MemberUp}\n\n");
        await http.Response.Body.FlushAsync();
        if (!thenEnd)
        {
            await Task.Delay(Timeout.Infinite, http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [Fact]
    public async Task Tail_LinePerEvent_UntilCancelled_ExitsZero()
    {
        await using var node = await CannedNode.StartAsync(http => Events(http, thenEnd: false));
        using var stop = new CancellationTokenSource();

        var (exit, run) = CliRun.Start(["--node", node.Address, "cluster", "tail"], stop.Token);
        await Eventually.True(() => run.Lines.Count >= 2, "two event lines from cluster tail", Deadline);
        await stop.CancelAsync();

        Assert.Equal(0, await exit.WaitAsync(Deadline));
        Assert.Equal(2, run.Lines.Count);
        Assert.Matches(@"^\S+Z CurrentClusterState 1 member, leader 127\.0\.0\.1:4053: 127\.0\.0\.1:4053 Up$", run.Lines[0]);
        Assert.Equal("2026-11-22T01:02:03.000Z MemberUp 127.0.0.1:4054 Up", run.Lines[1]);
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task Tail_Json_TheEventsDataAsSent()
    {
        await using var node = await CannedNode.StartAsync(http => Events(http, thenEnd: false));
        using var stop = new CancellationTokenSource();

        var (exit, run) = CliRun.Start(["--node", node.Address, "cluster", "tail", "--json"], stop.Token);
        await Eventually.True(() => run.Lines.Count >= 2, "two JSON lines from cluster tail --json", Deadline);
        await stop.CancelAsync();

        Assert.Equal(0, await exit.WaitAsync(Deadline));
        Assert.Equal([Snapshot, MemberUp], run.Lines);
    }

    [Fact]
    public async Task Tail_NodeEndsTheStream_Unreachable()
    {
        await using var node = await CannedNode.StartAsync(http => Events(http, thenEnd: true));

        var (exitCode, run) = await CliRun.RunAsync(["--node", node.Address, "cluster", "tail"]);

        Assert.Equal(ExitCodes.Unreachable, exitCode);
        Assert.Equal(2, run.Lines.Count);
        Assert.Equal($"sessionctl: {node.Address} ended the event stream (the node stopped, or left the cluster).", run.Stderr.Trim());
    }

    [Fact]
    public async Task Tail_NodeDropsTheConnection_Unreachable()
    {
        await using var node = await CannedNode.StartAsync(async http =>
        {
            http.Response.ContentType = "text/event-stream";
            await http.Response.WriteAsync($"data: {Snapshot}\n\n");
            await http.Response.Body.FlushAsync();
            http.Abort();
        });

        var (exitCode, run) = await CliRun.RunAsync(["--node", node.Address, "cluster", "tail"]);

        // The reset may overtake the event written before it, so only the outcome is certain.
        Assert.Equal(ExitCodes.Unreachable, exitCode);
        Assert.StartsWith($"sessionctl: {node.Address} ", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Tail_EventThatIsNotJson_BadAnswer()
    {
        await using var node = await CannedNode.StartAsync(async http =>
        {
            http.Response.ContentType = "text/event-stream";
            await http.Response.WriteAsync("data: {\"type\":\n\n");
            await Task.Delay(Timeout.Infinite, http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        });

        var (exitCode, run) = await CliRun.RunAsync(["--node", node.Address, "cluster", "tail"]);

        Assert.Equal(ExitCodes.BadAnswer, exitCode);
        Assert.Contains("answered /cluster/events with something other than the management API's JSON", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tail_NotAnEventStream_BadAnswer()
    {
        await using var node = await CannedNode.AnsweringAsync(200, "{}");

        var (exitCode, run) = await CliRun.RunAsync(["--node", node.Address, "cluster", "tail"]);

        Assert.Equal(ExitCodes.BadAnswer, exitCode);
        Assert.Contains("answered GET /cluster/events with application/json, not an event stream", run.Stderr, StringComparison.Ordinal);
    }

    /// <summary>A node whose shard table is all on 4054 for the first read, unavailable for the second, then split with 4055.</summary>
    private static Task<CannedNode> MovingShardsNodeAsync()
    {
        var reads = 0;
        return CannedNode.StartAsync(http =>
        {
            http.Response.ContentType = "application/json";
            if (http.Request.Path == "/cluster/members")
            {
                return http.Response.WriteAsync(CannedJson.Members);
            }

            var read = Interlocked.Increment(ref reads);
            if (read == 2)
            {
                http.Response.StatusCode = 503;
                return http.Response.WriteAsync("""{"error":"The shard region is not running.","status":503}""");
            }

            // Shard 1 moves from 4054 to 4055 between the first and the third read.
            var home = read == 1 ? "127.0.0.1:4054" : "127.0.0.1:4055";
            return http.Response.WriteAsync(
                $$"""{"coordinator":"127.0.0.1:4054","shards":[{"id":0,"home":"127.0.0.1:4054","epoch":1,"backups":[],"sessions":1},{"id":1,"home":"{{home}}","epoch":2,"backups":[],"sessions":2}]}""");
        });
    }

    [Fact]
    public async Task Watch_Json_LinePerChange_ReadErrorOnStderr_UntilCancelled()
    {
        await using var node = await MovingShardsNodeAsync();
        using var stop = new CancellationTokenSource();

        var (exit, run) = CliRun.Start(["--node", node.Address, "sharding", "watch", "--json"], stop.Token);
        await Eventually.True(() => run.Lines.Count >= 2, "a second stats line after the shards moved", Deadline);
        await stop.CancelAsync();

        Assert.Equal(0, await exit.WaitAsync(Deadline));
        Assert.Equal(2, run.Lines.Count);
        Assert.Contains("""{"address":"127.0.0.1:4054","roles":["worker"],"status":"Up","shards":2,""", run.Lines[0], StringComparison.Ordinal);
        Assert.Contains("""{"address":"127.0.0.1:4054","roles":["worker"],"status":"Up","shards":1,""", run.Lines[1], StringComparison.Ordinal);
        Assert.Contains("""{"address":"127.0.0.1:4055","roles":["worker"],"status":"Up","shards":1,""", run.Lines[1], StringComparison.Ordinal);
        Assert.Equal($"sessionctl: {node.Address} answered 503 Service Unavailable: The shard region is not running. Retrying.", run.Stderr.Trim());
    }

    [Fact]
    public async Task Watch_NotATerminal_NewFramePerChange()
    {
        await using var node = await MovingShardsNodeAsync();
        using var stop = new CancellationTokenSource();

        var (exit, run) = CliRun.Start(["--node", node.Address, "sharding", "watch"], stop.Token);
        await Eventually.True(() => run.Stdout.Contains("1 shard moves seen", StringComparison.Ordinal), "a frame showing the move", Deadline);
        await stop.CancelAsync();

        Assert.Equal(0, await exit.WaitAsync(Deadline));
        Assert.Contains("0 shard moves seen since the watch began", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("answered 503 Service Unavailable: The shard region is not running. Retrying.", run.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"127\.0\.0\.1:4055\s+w2\s+Up\s+1 \+1", run.Stdout);
    }

    [Fact]
    public async Task Watch_Terminal_RedrawsInPlaceUntilCancelled()
    {
        await using var node = await MovingShardsNodeAsync();
        using var stop = new CancellationTokenSource();

        var (exit, run) = CliRun.Start(["--node", node.Address, "sharding", "watch"], stop.Token, terminal: true);
        await Eventually.True(() => run.Stdout.Contains("1 shard moves seen", StringComparison.Ordinal), "a redraw showing the move", Deadline);
        await stop.CancelAsync();

        Assert.Equal(0, await exit.WaitAsync(Deadline));
        var text = run.Stdout;
        Assert.Contains("\u001b[?25l", text, StringComparison.Ordinal); // the live view hides the cursor while it redraws...
        Assert.Matches(@"\u001b\[\d+A", text); // ...moves it back up over the previous frame...
        Assert.EndsWith("\u001b[?25h", text.TrimEnd()); // ...and shows it again when Ctrl+C ends the watch.
        Assert.Contains("0 shard moves seen since the watch began", text, StringComparison.Ordinal);
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task Watch_FirstReadFails_ErrorExit()
    {
        await using var node = await CannedNode.AnsweringAsync(503, """{"error":"The shard region is not running.","status":503}""");

        var (exitCode, run) = await CliRun.RunAsync(["--node", node.Address, "sharding", "watch"]);

        Assert.Equal(ExitCodes.Refused, exitCode);
        Assert.Equal("", run.Stdout);
    }
}
