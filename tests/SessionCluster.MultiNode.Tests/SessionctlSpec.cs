using System.Diagnostics;
using System.Text.Json;
using SessionCluster.MultiNode.Tests.Support;
using SessionCluster.TestKit;
using Xunit.Abstractions;

namespace SessionCluster.MultiNode.Tests;

/// <summary>
/// The operator CLI against a live cluster: the built <c>sessionctl</c> runs as its own process with <c>--json</c>
/// against a Lighthouse, three workers and a front on 127.0.0.1, and what it prints is checked against the cluster
/// itself — every member Up, the stats adding up to the number of shards and agreeing with the front's shard table,
/// a session created through the front located on the worker that serves it, and a <c>sharding watch</c> showing a
/// fourth worker take its share, stopped by a real SIGINT. Then the actions: refused without the token, a worker
/// weighed to 0 gives its shards away, a worker drained through the CLI exits while <c>cluster tail</c> prints its
/// removal, and every session survives both.
/// </summary>
/// <remarks>
/// Every wait is a deadline on what sessionctl prints (the cluster settles after the nodes report Up), so the CLI is
/// polled like any other observer. A failure names its phase and carries every sessionctl run and every node's log.
/// </remarks>
[Trait("Category", "MultiNode")]
public sealed class SessionctlSpec(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary><c>session-cluster.sharding.number-of-shards</c> in hocon/reference.conf.</summary>
    private const int NumberOfShards = 100;

    private const int SessionCount = 5;

    /// <summary>The token every node of <see cref="LocalCluster"/> is started with.</summary>
    private const string Token = NodeProcess.ManagementToken;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly SessionctlRunner _sessionctl = SessionctlRunner.Locate();
    private LocalCluster? _cluster;

    private LocalCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster has not started.");

    public async Task InitializeAsync()
    {
        _cluster = await LocalCluster.StartAsync(workers: 3, fronts: 1, oneByOne: true);
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task ThreeWorkersAndAFront_SessionctlJson_ShowsEveryMemberTheShardsAndWhereSessionsLive()
    {
        var sessions = new List<TrackedSession>();
        await Phase("1 form: the Lighthouse, 3 workers and a front join one by one", () => Cluster.LaunchOneByOneAsync(Deadline));
        var front = Cluster.Front(1).BaseAddress.Authority;
        var everyone = Cluster.Nodes.Select(node => node.ClusterAddress).Order(StringComparer.Ordinal).ToList();
        var workers = Cluster.Workers.Select(node => node.ClusterAddress).Order(StringComparer.Ordinal).ToList();

        await Phase("2 cluster show --json (asking the front): every member Up and reachable with its route name, one leader among them", async () =>
        {
            var members = await Eventually.Value(
                async () => await _sessionctl.RunAsync("--node", front, "cluster", "show", "--json"),
                run => run.ExitCode == 0 && Members(run.Json()) is var list && list.Count == everyone.Count && list.All(member => member.Status == "Up" && member.Reachable),
                $"sessionctl cluster show to list exactly [{string.Join(", ", everyone)}], all Up and reachable",
                Deadline);
            var document = members.Json();
            Assert.Equal(everyone, Members(document).Select(member => member.Address).Order(StringComparer.Ordinal));
            Assert.Contains(document.GetProperty("leader").GetString(), everyone);
            Assert.Equal(Cluster.Front(1).ClusterAddress, document.GetProperty("self").GetString());
            // Each web node was started with --route set to its name; the Lighthouse has none.
            var routes = document.GetProperty("members").EnumerateArray()
                .ToDictionary(member => member.GetProperty("address").GetString()!, member => member.GetProperty("route").GetString());
            Assert.All(Cluster.Nodes, node => Assert.Equal(node == Cluster.Lighthouse ? null : node.Node, routes[node.ClusterAddress]));

            var leader = (await _sessionctl.RunAsync("--node", front, "cluster", "leader", "--json")).Json();
            Assert.Equal(document.GetProperty("leader").GetString(), leader.GetProperty("leader").GetString());
        });

        await Phase($"3 sharding stats --json: {NumberOfShards} shards, all homed on the workers, counts adding up and equal to the front's table", async () =>
        {
            // Balanced: every worker holds the floor or the ceiling of its fair share, as the coordinator's rebalancing leaves it.
            var floor = NumberOfShards / workers.Count;
            var ceiling = floor + (NumberOfShards % workers.Count == 0 ? 0 : 1);
            var stats = (await Eventually.Value(
                async () => await _sessionctl.RunAsync("--node", front, "sharding", "stats", "--json"),
                run => run.ExitCode == 0 && run.Json() is var json
                    && json.GetProperty("shards").GetInt32() == NumberOfShards
                    && json.GetProperty("unassigned").GetInt32() == 0
                    && json.GetProperty("nodes").EnumerateArray().All(node => node.GetProperty("shards").GetInt32() is var count && count >= floor && count <= ceiling),
                $"sessionctl sharding stats to show {NumberOfShards} shards, none unassigned, {floor} or {ceiling} on each worker",
                Deadline)).Json();
            var nodes = stats.GetProperty("nodes").EnumerateArray().ToList();
            Assert.Equal(workers, nodes.Select(node => node.GetProperty("address").GetString()!).Order(StringComparer.Ordinal));
            Assert.Equal(NumberOfShards, nodes.Sum(node => node.GetProperty("shards").GetInt32()));
            Assert.All(nodes, node => Assert.Equal("Up", node.GetProperty("status").GetString()));
            Assert.Equal(stats.GetProperty("sessions").GetInt64(), nodes.Sum(node => node.GetProperty("sessions").GetInt64()));

            // The same distribution as the front's own table, read over HTTP without the CLI, once it holds still.
            var table = (await Cluster.ReadShardsAsync(Cluster.Front(1))).Table ?? throw new InvalidOperationException("The front gave no shard table.");
            var again = (await _sessionctl.RunAsync("--node", front, "sharding", "stats", "--json")).Json();
            var perHome = table.ShardsPerHome();
            Assert.Equal(
                perHome.OrderBy(entry => entry.Key, StringComparer.Ordinal).Select(entry => (entry.Key, entry.Value)),
                again.GetProperty("nodes").EnumerateArray().Select(node => (node.GetProperty("address").GetString()!, node.GetProperty("shards").GetInt32())).OrderBy(entry => entry.Item1, StringComparer.Ordinal));
        });

        await Phase($"4 session locate --json: {SessionCount} sessions created through the front live on the worker that serves them", async () =>
        {
            using var client = new SessionContractClient(Cluster.Front(1), maxConnections: 1);
            for (var i = 0; i < SessionCount; i++)
            {
                var created = await client.CreateAsync();
                Assert.True(created.Succeeded && created.BodyId is { Length: 32 }, $"creating a session through the front failed: {created}");
                sessions.Add(new TrackedSession(created.BodyId!, created.Cookie!));
                using var body = JsonDocument.Parse(created.Body);
                var owner = body.RootElement.GetProperty("owner").GetString();
                var serving = Cluster.Workers.Single(worker => worker.Node == owner);

                var located = (await _sessionctl.RunAsync("--node", front, "session", "locate", created.Cookie!, "--json")).Json();
                Assert.Equal(created.BodyId, located.GetProperty("id").GetString());
                Assert.True(
                    located.GetProperty("home").GetString() == serving.ClusterAddress,
                    $"sessionctl located session {created.BodyId} (shard {located.GetProperty("shard")}) on {located.GetProperty("home")}, but {serving.Name} ({serving.ClusterAddress}) served it");

                var shard = located.GetProperty("shard").GetInt32();
                var shards = (await _sessionctl.RunAsync("--node", front, "sharding", "shards", "--home", serving.ClusterAddress, "--json")).Json();
                Assert.Contains(shard, shards.GetProperty("shards").EnumerateArray().Select(entry => entry.GetProperty("id").GetInt32()));
            }

            var stats = (await _sessionctl.RunAsync("--node", front, "sharding", "stats", "--json")).Json();
            Assert.Equal(SessionCount, stats.GetProperty("sessions").GetInt64());
        });

        await Phase("5 sharding watch --json while a 4th worker joins: a stats line shows its share; Ctrl+C (SIGINT) ends the watch with 0", async () =>
        {
            await using var watch = _sessionctl.Start("--node", front, "sharding", "watch", "--json");
            await Eventually.True(() => watch.Lines.Count >= 1, "the watch's first stats line", Deadline);
            var joiner = Cluster.AddWorker();
            var floor = NumberOfShards / (workers.Count + 1);
            await Eventually.True(
                () => watch.Lines.Select(StatsOf).Any(stats => stats.TryGetValue(joiner.ClusterAddress, out var shards) && shards >= floor),
                $"a watch line with at least {floor} shards on {joiner.Name} ({joiner.ClusterAddress}); the watch so far: {watch}",
                Deadline);
            Assert.All(watch.Lines.Select(StatsOf), stats => Assert.Equal(NumberOfShards, stats.Values.Sum() + stats.GetValueOrDefault("unassigned")));

            await watch.InterruptAsync();
            Assert.Equal(0, await watch.WaitForExitAsync(Deadline));
        });

        await Phase("6 actions need the token: none gives 401 and says how to pass it, a wrong one 401, down-unreachable with the token downs nobody", async () =>
        {
            var without = await _sessionctl.RunAsync("--node", front, "cluster", "down-unreachable");
            Assert.Equal(1, without.ExitCode);
            Assert.Contains("401", without.Stderr, StringComparison.Ordinal);
            Assert.Contains("--token or SESSIONCTL_TOKEN", without.Stderr, StringComparison.Ordinal);

            var wrong = await _sessionctl.RunAsync("--node", front, "--token", "not-" + Token, "cluster", "down-unreachable");
            Assert.Equal(1, wrong.ExitCode);
            Assert.Contains("401", wrong.Stderr, StringComparison.Ordinal);

            var downed = (await _sessionctl.RunAsync("--node", front, "--token", Token, "cluster", "down-unreachable", "--json")).Json();
            Assert.Equal("down-unreachable", downed.GetProperty("action").GetString());
            Assert.Empty(downed.GetProperty("downed").EnumerateArray());
        });

        var oldest = (await _sessionctl.RunAsync("--node", front, "cluster", "leader", "--json")).Json().GetProperty("oldest").GetString();
        var weighed = Cluster.Workers.First(worker => worker.ClusterAddress != oldest);
        await Phase($"7 node weight {weighed.Name} 0: its shards move to the other workers, no session lost", async () =>
        {
            var answer = (await _sessionctl.RunAsync("--node", front, "--token", Token, "node", "weight", weighed.ClusterAddress, "0", "--json")).Json();
            Assert.Equal(("weight", weighed.ClusterAddress, 0), (answer.GetProperty("action").GetString(), answer.GetProperty("address").GetString(), answer.GetProperty("weight").GetInt32()));

            var others = Cluster.Workers.Where(worker => worker != weighed).Select(worker => worker.ClusterAddress).ToList();
            await WaitForBalance(front, others, [weighed.ClusterAddress], $"{weighed.Name} to hold no shard after weight 0");
            var regions = (await _sessionctl.RunAsync("--node", front, "sharding", "regions", "--json")).Json();
            var region = regions.GetProperty("regions").EnumerateArray().Single(entry => entry.GetProperty("address").GetString() == weighed.ClusterAddress);
            Assert.Equal(0, region.GetProperty("weight").GetInt32());
        });

        var drained = Cluster.Workers.First(worker => worker != weighed && worker.ClusterAddress != oldest);
        await Phase($"8 node drain {drained.Node} (its route name): cluster tail sees it leave, its process exits with 0, its shards move, no session lost", async () =>
        {
            await using var tail = _sessionctl.Start("--node", front, "cluster", "tail", "--json");
            await Eventually.True(() => tail.Lines.Count >= 1, $"the CurrentClusterState line of cluster tail; {tail}", Deadline);
            Assert.Contains("\"type\":\"CurrentClusterState\"", tail.Lines[0], StringComparison.Ordinal);

            var answer = (await _sessionctl.RunAsync("--node", front, "--token", Token, "node", "drain", drained.Node, "--json")).Json();
            Assert.Equal(("drain", drained.ClusterAddress), (answer.GetProperty("action").GetString(), answer.GetProperty("address").GetString()));
            Assert.Equal(0, await drained.WaitForExitAsync(Deadline));

            var remaining = Cluster.Workers.Where(worker => worker != weighed && worker != drained).Select(worker => worker.ClusterAddress).ToList();
            await WaitForBalance(front, remaining, [weighed.ClusterAddress], $"the shards of {drained.Name} to move to [{string.Join(", ", remaining)}]");
            var members = (await _sessionctl.RunAsync("--node", front, "cluster", "show", "--json")).Json();
            Assert.DoesNotContain(drained.ClusterAddress, Members(members).Select(member => member.Address));

            await Eventually.True(
                () => tail.Lines.Any(line => line.Contains("\"MemberRemoved\"", StringComparison.Ordinal) && line.Contains(drained.ClusterAddress, StringComparison.Ordinal)),
                $"cluster tail to print MemberRemoved of {drained.ClusterAddress}; {tail}",
                Deadline);
            await tail.InterruptAsync();
            Assert.Equal(0, await tail.WaitForExitAsync(Deadline));

            using var client = new SessionContractClient(Cluster.Front(1), maxConnections: 1);
            foreach (var session in sessions)
            {
                var read = await client.GetAsync(session);
                Assert.True(read.Succeeded && read.BodyId == session.Id, $"session {session.Id} did not survive the weight change and the drain: {read}");
            }
        });

        await Phase("9 errors: a node that is not there, a bad address", async () =>
        {
            var stopped = FreePorts.Take(1)[0];
            var unreachable = await _sessionctl.RunAsync("--node", $"127.0.0.1:{stopped}", "cluster", "show", "--json");
            Assert.Equal(3, unreachable.ExitCode);
            Assert.Equal("", unreachable.Stdout);
            Assert.Single(unreachable.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));

            var usage = await _sessionctl.RunAsync("--node", front, "node", "drain", "worker-1:http");
            Assert.Equal(2, usage.ExitCode);

            var unknownRoute = await _sessionctl.RunAsync("--node", front, "--token", Token, "node", "drain", "worker-9");
            Assert.Equal(1, unknownRoute.ExitCode);
            Assert.Contains("no member has the route 'worker-9'", unknownRoute.Stderr, StringComparison.Ordinal);
        });
    }

    /// <summary>
    /// Waits until <c>sharding stats</c> shows every shard homed, balanced over <paramref name="homes"/> (the floor or
    /// ceiling of the fair share each), none on <paramref name="empty"/>, and all <see cref="SessionCount"/> sessions.
    /// </summary>
    private async Task WaitForBalance(string front, IReadOnlyList<string> homes, IReadOnlyList<string> empty, string what)
    {
        var floor = NumberOfShards / homes.Count;
        var ceiling = floor + (NumberOfShards % homes.Count == 0 ? 0 : 1);
        await Eventually.Value(
            async () => await _sessionctl.RunAsync("--node", front, "sharding", "stats", "--json"),
            run => run.ExitCode == 0 && run.Json() is var json
                && json.GetProperty("unassigned").GetInt32() == 0
                && json.GetProperty("sessions").GetInt64() == SessionCount
                && StatsOf(json.GetRawText()) is var stats
                && homes.All(home => stats.GetValueOrDefault(home) is var count && count >= floor && count <= ceiling)
                && empty.All(node => stats.GetValueOrDefault(node) == 0),
            $"{what}: sharding stats with {floor} or {ceiling} shards on each of [{string.Join(", ", homes)}], none on [{string.Join(", ", empty)}], {SessionCount} sessions",
            Deadline);
    }

    /// <summary>Shards per node address in one <c>sharding stats</c> line, with the unassigned ones under "unassigned".</summary>
    private static Dictionary<string, int> StatsOf(string line)
    {
        using var document = JsonDocument.Parse(line);
        var stats = document.RootElement.GetProperty("nodes").EnumerateArray()
            .ToDictionary(node => node.GetProperty("address").GetString()!, node => node.GetProperty("shards").GetInt32());
        stats["unassigned"] = document.RootElement.GetProperty("unassigned").GetInt32();
        return stats;
    }

    private static List<(string Address, string Status, bool Reachable)> Members(JsonElement document) =>
        [.. document.GetProperty("members").EnumerateArray().Select(member =>
            (member.GetProperty("address").GetString()!, member.GetProperty("status").GetString()!, member.GetProperty("reachable").GetBoolean()))];

    private async Task Phase(string name, Func<Task> body)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await body();
        }
        catch (Exception exception)
        {
            throw new PhaseFailedException(
                $"Phase '{name}' failed after {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s: {exception.Message}\n\n{_sessionctl.Report()}\n\n{Cluster.Alerts()}\n\nNode logs:{Cluster.Report()}",
                exception);
        }

        output.WriteLine($"{name}: {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
    }
}
