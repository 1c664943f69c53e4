using System.Diagnostics;
using System.Text.Json;
using SessionCluster.MultiNode.Tests.Support;
using SessionCluster.TestKit;
using Xunit.Abstractions;

namespace SessionCluster.MultiNode.Tests;

/// <summary>
/// Replication across real processes on 127.0.0.1: a Lighthouse, three workers and a front; 1,000 sessions with their
/// backups whole on other workers; under a steady load of reads and increments through the front, a worker that is not
/// the coordinator gets <c>kill -9</c>, then the coordinator's worker does. Each kill lands on a settled cluster
/// (shards balanced, replicas whole), so every shard of the victim is a failover. Every session survives, no request
/// fails (those in flight to the dead home are sent again to the promoted backup, and an increment carries an
/// operation id, so a repeat is not counted twice), and every counter holds exactly its acknowledged increments. After
/// each kill a session that lived on the dead worker gets a cookie naming its new home.
/// </summary>
[Trait("Category", "MultiNode")]
public sealed class FailoverSpec(ITestOutputHelper output) : LoadedClusterSpec
{
    private const int NumberOfShards = 100;
    private const int SessionCount = 1_000;
    private const int InFlight = 16;
    private const int LoadLoops = 8;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LoadAfterFailover = TimeSpan.FromSeconds(2);

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public override Task DisposeAsync()
    {
        _http.Dispose();
        return base.DisposeAsync();
    }

    [Fact]
    public async Task ThreeWorkersAndAFront_KillTwoWorkersInTurnUnderLoad_NoSessionLostAndNoAcknowledgedIncrementLost()
    {
        try
        {
            await KillTwoWorkersInTurn();
        }
        catch
        {
            output.WriteLine(Cluster.Report());
            throw;
        }
    }

    private async Task KillTwoWorkersInTurn()
    {
        await Cluster.LaunchOneByOneAsync(Deadline);
        ConnectThroughFront(InFlight);
        var (fleet, failures) = await SessionFleet.CreateAsync(FrontClient, SessionCount, InFlight);
        Assert.True(failures.Count == 0, $"creations failed: {string.Join("\n", failures.Take(10))}");

        var workers = Cluster.Workers.ToList();
        var coordinator = await Cluster.CoordinatorAsync(Deadline);
        var first = workers.First(worker => worker.ClusterAddress != coordinator);
        await KillUnderLoad(first, fleet, workers.Where(worker => worker != first).ToList());

        var second = workers.Single(worker => worker.ClusterAddress == coordinator);
        await KillUnderLoad(second, fleet, workers.Where(worker => worker != first && worker != second).ToList());
    }

    private async Task KillUnderLoad(NodeProcess victim, SessionFleet fleet, IReadOnlyList<NodeProcess> survivors)
    {
        // The kill lands on a settled placement: a shard the rebalance is moving off the victim would reach its new
        // home as a hand-off rather than a failover, and the count of failovers below could not be exact.
        await Cluster.WaitForSettledAsync(Cluster.Workers.Where(worker => !worker.HasExited).ToList(), NumberOfShards, Deadline);
        Traffic = SessionTraffic.Start(FrontClient, fleet, LoadLoops, Random.Shared.Next());
        // Load duration before the kill, not a wait for a condition: requests in flight when the home dies.
        await Task.Delay(TimeSpan.FromMilliseconds(500));

        // A session living on the victim, to see its cookie follow it to its new home.
        var orphan = await SessionHomedOn(fleet, victim);
        var orphanRoute = orphan.Cookie.Split('.', 2)[1];

        var victimShards = (await Cluster.ReadShardsAsync(Cluster.Front(1))).Table?.Shards.Count(shard => shard.Home == victim.ClusterAddress) ?? 0;
        var failoversBefore = await FailoversCountedAsync(survivors);

        var killed = Stopwatch.GetTimestamp();
        victim.Kill();
        var homes = survivors.Select(worker => worker.ClusterAddress).ToHashSet();
        await Eventually.Value(
            async () => (await Cluster.ReadShardsAsync(Cluster.Front(1))).Table,
            table => table is not null && table.Shards.Count == NumberOfShards && table.Shards.All(shard => shard.Home is { } home && homes.Contains(home)) &&
                     table.TotalSessions == SessionCount,
            $"every shard served by the survivors [{string.Join(", ", homes)}] with all {SessionCount} sessions, after kill -9 of {victim.Name}",
            Deadline);
        output.WriteLine($"  {victim.Name} killed; every shard served again by the survivors after {Stopwatch.GetElapsedTime(killed).TotalMilliseconds:0} ms");

        // Load duration, not a wait for a condition: requests on the promoted shards at their new homes.
        await Task.Delay(LoadAfterFailover);
        await Traffic.StopAsync();
        output.WriteLine($"  load: {Traffic.Summary()}");
        Assert.True(Traffic.Failed == 0, $"Requests failed under the failover of {victim.Name}: {Traffic.Summary()}");
        var discrepancies = await fleet.VerifyCountersAsync(FrontClient, SessionTraffic.Counter, InFlight);
        Assert.True(discrepancies.Count == 0, $"{discrepancies.Count} sessions lost writes:\n  {string.Join("\n  ", discrepancies.Take(20))}");
        await Traffic.DisposeAsync();
        Traffic = null;

        // Metrics: each of the victim's shards was promoted from a backup on a survivor, which counts it as a failover.
        var failovers = await FailoversCountedAsync(survivors) - failoversBefore;
        Assert.True(victimShards > 0 && failovers >= victimShards,
            $"{victim.Name} was home to {victimShards} shards, yet the survivors' sessioncluster_shard_failovers_total grew by {failovers}");
        output.WriteLine($"  {victim.Name} was home to {victimShards} shards; the survivors counted {failovers} failovers");

        var rebound = await FrontClient.GetAsync(orphan);
        Assert.True(rebound.Succeeded, $"the orphaned session {orphan.Id} answers: {rebound}");
        using var body = JsonDocument.Parse(rebound.Body);
        var owner = body.RootElement.GetProperty("owner").GetString();
        Assert.NotEqual(victim.Node, owner);
        Assert.Equal($"{orphan.Id}.{owner}", rebound.Cookie);
        output.WriteLine($"  session {orphan.Id}: cookie route {orphanRoute} rewritten to its new home {owner}");
    }

    /// <summary>The sum of <c>sessioncluster_shard_failovers_total</c> over <paramref name="workers"/>' <c>/metrics</c>.</summary>
    private async Task<double> FailoversCountedAsync(IEnumerable<NodeProcess> workers)
    {
        var total = 0.0;
        foreach (var worker in workers)
        {
            var exposition = PrometheusExposition.Parse(await _http.GetStringAsync(new Uri(worker.BaseAddress, "/metrics")));
            total += exposition.Find("sessioncluster_shard_failovers_total") ?? 0;
        }

        return total;
    }

    /// <summary>A session of <paramref name="fleet"/> whose shard's home is <paramref name="node"/>, per the front, and
    /// whose cookie names that node's route (its home has not changed since it was created).</summary>
    private async Task<TrackedSession> SessionHomedOn(SessionFleet fleet, NodeProcess node)
    {
        foreach (var session in fleet.Sessions.Where(session => session.Cookie.EndsWith("." + node.Node, StringComparison.Ordinal)))
        {
            using var location = JsonDocument.Parse(await _http.GetStringAsync(new Uri(Cluster.Front(1).BaseAddress, $"/cluster/sessions/{session.Id}")));
            if (location.RootElement.GetProperty("home").GetString() == node.ClusterAddress)
            {
                return session;
            }
        }

        throw new InvalidOperationException($"No session of the fleet lives on {node.Name}.");
    }
}
