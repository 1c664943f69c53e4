using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using SessionCluster.MultiNode.Tests.Support;
using SessionCluster.TestKit;
using Xunit.Abstractions;

namespace SessionCluster.MultiNode.Tests;

/// <summary>
/// The management API's actions across real processes on 127.0.0.1: a Lighthouse, three workers and a front; sessions
/// created through the front and their backups whole; then, each under a steady load of reads and increments through
/// the front: <c>POST /cluster/drain/{worker}</c> through the front moves that worker's shards away with their sessions
/// and its process exits; <c>POST /cluster/weight/{worker}?value=3</c> through the Lighthouse gives one of the two
/// remaining workers three quarters of the shards; <c>POST /cluster/leave/{worker}</c> through the front makes the
/// other one hand its shards to the last worker before it leaves and exits. No request fails, no session is lost and
/// every counter holds exactly its acknowledged increments.
/// </summary>
/// <remarks>The token reaches the nodes as an operator would give it, through SESSION_CLUSTER_MANAGEMENT_TOKEN, which
/// the example node files substitute (see <see cref="NodeProcess"/>).</remarks>
[Trait("Category", "MultiNode")]
public sealed class ManagementSpec(ITestOutputHelper output) : LoadedClusterSpec
{
    private const int NumberOfShards = 100;
    private const int SessionCount = 2_000;
    private const int InFlight = 16;
    private const int LoadLoops = 8;
    private const int StablePolls = 3;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan LoadAfterSettling = TimeSpan.FromSeconds(1);

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public override Task InitializeAsync()
    {
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", NodeProcess.ManagementToken);
        return base.InitializeAsync();
    }

    public override Task DisposeAsync()
    {
        _http.Dispose();
        return base.DisposeAsync();
    }

    [Fact]
    public async Task DrainWeightAndLeaveThroughTheApi_UnderLoad_NoRequestFailsAndEveryCounterIsExact()
    {
        SessionFleet? fleet = null;
        var workers = new List<NodeProcess>();
        var coordinator = "";

        await Phase($"1 form and create: the cluster joins one by one, {SessionCount} sessions through the front, backups whole", async () =>
        {
            await Cluster.LaunchOneByOneAsync(Deadline);
            workers.AddRange(Cluster.Workers);
            ConnectThroughFront(InFlight);
            var (created, failures) = await SessionFleet.CreateAsync(FrontClient, SessionCount, InFlight);
            Assert.True(failures.Count == 0, $"creations failed: {string.Join("\n", failures.Take(10))}");
            fleet = created;
            await Cluster.WaitForWholeReplicasAsync(workers, NumberOfShards, Deadline);
            coordinator = await Cluster.CoordinatorAsync(Deadline);
        });

        var drained = workers.First(worker => worker.ClusterAddress != coordinator);
        var remaining = workers.Where(worker => worker != drained).ToList();
        await Phase($"2 drain through the front: POST /cluster/drain/{drained.ClusterAddress} ({drained.Name}); its shards move with their sessions, it exits", async () =>
        {
            StartLoad(fleet!);
            // Load duration before the action, not a wait for a condition: requests in flight when the shards start to move.
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            var answer = await PostAsync(Cluster.Front(1), $"/cluster/drain/{drained.ClusterAddress}");
            Assert.Equal($"{{\"action\":\"drain\",\"address\":\"{drained.ClusterAddress}\"}}", answer);

            var exitCode = await drained.WaitForExitAsync(Deadline);
            Assert.True(exitCode == 0, $"{drained.Name} exited with {exitCode} after the drain; expected 0.");
            Assert.True(drained.LogContains("drain requested by"), $"{drained.Name} never logged that a drain was requested.");
            Assert.True(drained.LogContains($"Node {drained.Node} drained its shards (complete: True)"), $"{drained.Name} left without finishing its hand-off.");
            await Settled(Addresses(remaining), table => table.IsBalancedOver(Addresses(remaining), NumberOfShards), "balanced over the two remaining workers");
            await Task.Delay(LoadAfterSettling);
            await StopLoadAndVerify(fleet!);
        });

        var heavy = remaining.First(worker => worker.ClusterAddress != coordinator);
        var light = remaining.Single(worker => worker != heavy);
        await Phase($"3 weight through the Lighthouse: POST /cluster/weight/{heavy.ClusterAddress}?value=3; {heavy.Name} takes 75 of the 100 shards", async () =>
        {
            await Cluster.WaitForWholeReplicasAsync(remaining, NumberOfShards, Deadline);
            StartLoad(fleet!);
            var answer = await PostAsync(Cluster.Lighthouse, $"/cluster/weight/{heavy.ClusterAddress}?value=3");
            Assert.Equal($"{{\"action\":\"weight\",\"address\":\"{heavy.ClusterAddress}\",\"weight\":3}}", answer);

            await Settled(
                Addresses(remaining),
                table => table.ShardsPerHome().GetValueOrDefault(heavy.ClusterAddress) == 75 && table.ShardsPerHome().GetValueOrDefault(light.ClusterAddress) == 25,
                $"75 shards on {heavy.Name} and 25 on {light.Name}");
            using var regions = JsonDocument.Parse(await _http.GetStringAsync(new Uri(Cluster.Front(1).BaseAddress, "/cluster/regions")));
            var region = regions.RootElement.GetProperty("regions").EnumerateArray().Single(entry => entry.GetProperty("address").GetString() == heavy.ClusterAddress);
            Assert.Equal(3, region.GetProperty("weight").GetDouble());
            Assert.Equal(75, region.GetProperty("shards").GetInt32());
            await Task.Delay(LoadAfterSettling);
            await StopLoadAndVerify(fleet!);
        });

        await Phase($"4 leave through the front: POST /cluster/leave/{heavy.ClusterAddress}; {heavy.Name} hands every shard to {light.Name}, leaves, exits", async () =>
        {
            await Cluster.WaitForWholeReplicasAsync(remaining, NumberOfShards, Deadline);
            StartLoad(fleet!);
            var answer = await PostAsync(Cluster.Front(1), $"/cluster/leave/{heavy.ClusterAddress}");
            Assert.Equal($"{{\"action\":\"leave\",\"address\":\"{heavy.ClusterAddress}\"}}", answer);

            var exitCode = await heavy.WaitForExitAsync(Deadline);
            Assert.True(exitCode == 0, $"{heavy.Name} exited with {exitCode} after leaving; expected 0.");
            Assert.True(heavy.LogContains($"Node {heavy.Node} drained its shards (complete: True)"), $"{heavy.Name} left without handing its shards off.");
            await Settled([light.ClusterAddress], table => table.ShardsPerHome().GetValueOrDefault(light.ClusterAddress) == NumberOfShards, $"every shard on {light.Name}");
            await Task.Delay(LoadAfterSettling);
            await StopLoadAndVerify(fleet!);
        });
    }

    /// <summary>POSTs an action with the token to <paramref name="node"/>; requires 2xx and returns the body.</summary>
    private async Task<string> PostAsync(NodeProcess node, string path)
    {
        using var response = await _http.PostAsync(new Uri(node.BaseAddress, path), null);
        var body = await response.Content.ReadAsStringAsync();
        output.WriteLine($"  POST {node.Name}{path}: {(int)response.StatusCode} {body}");
        Assert.True(response.IsSuccessStatusCode, $"POST {path} on {node.Name} answered {(int)response.StatusCode}: {body}");
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted);
        return body;
    }

    /// <summary>Waits until the front's table has every shard on <paramref name="homes"/> only, as <paramref name="accept"/>
    /// wants, with every session, unchanged for <see cref="StablePolls"/> polls.</summary>
    private async Task Settled(IReadOnlyCollection<string> homes, Func<ShardTableView, bool> accept, string what)
    {
        var streak = 0;
        var placement = "";
        var table = (await Eventually.Value(
            async () =>
            {
                var (view, _) = await Cluster.ReadShardsAsync(Cluster.Front(1));
                if (view is not null && view.Shards.Count == NumberOfShards && view.Shards.All(shard => shard.Home is { } home && homes.Contains(home)) &&
                    view.TotalSessions == SessionCount && accept(view))
                {
                    streak = view.Placement == placement ? streak + 1 : 1;
                    placement = view.Placement;
                }
                else
                {
                    streak = 0;
                    placement = "";
                }

                return (View: view, Streak: streak);
            },
            reading => reading.Streak >= StablePolls,
            $"the front's table: all {NumberOfShards} shards {what}, {SessionCount} sessions, unchanged for {StablePolls} polls",
            Deadline)).View!;
        output.WriteLine($"  settled: {table}");
    }

    private void StartLoad(SessionFleet fleet) => Traffic = SessionTraffic.Start(FrontClient, fleet, LoadLoops, Random.Shared.Next());

    private async Task StopLoadAndVerify(SessionFleet fleet)
    {
        var traffic = Traffic ?? throw new InvalidOperationException("No load is running.");
        await traffic.StopAsync();
        output.WriteLine($"  load: {traffic.Summary()}");
        Assert.True(traffic.Failed == 0, $"Requests failed under load: {traffic.Summary()}");
        Assert.True(traffic.Increments > 0, $"The load acknowledged no increment: {traffic.Summary()}");
        var discrepancies = await fleet.VerifyCountersAsync(FrontClient, SessionTraffic.Counter, InFlight);
        Assert.True(discrepancies.Count == 0, $"{discrepancies.Count} sessions lost writes:\n  {string.Join("\n  ", discrepancies.Take(20))}");
        await traffic.DisposeAsync();
        Traffic = null;
    }

    private static List<string> Addresses(IEnumerable<NodeProcess> nodes) => [.. nodes.Select(node => node.ClusterAddress)];

    private async Task Phase(string name, Func<Task> body)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await body();
        }
        catch (Exception exception)
        {
            if (Traffic is not null)
            {
                await Traffic.StopAsync();
            }

            var load = Traffic is null ? "" : $"\n\nLoad: {Traffic.Summary(maxFailures: 50)}";
            throw new PhaseFailedException(
                $"Phase '{name}' failed after {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s: {exception.Message}{load}\n\n{Cluster.Alerts()}\n\nNode logs:{Cluster.Report()}",
                exception);
        }

        output.WriteLine($"{name}: {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
    }
}
