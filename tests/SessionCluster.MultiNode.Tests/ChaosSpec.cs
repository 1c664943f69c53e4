using System.Diagnostics;
using System.Text.Json;
using SessionCluster.MultiNode.Tests.Support;
using SessionCluster.TestKit;
using Xunit.Abstractions;

namespace SessionCluster.MultiNode.Tests;

/// <summary>
/// Replication under repeated crashes across real processes on 127.0.0.1: a Lighthouse, three workers and a front;
/// 1,000 sessions under one steady load through the front of reads, increments and attribute writes. Five times in a
/// row a worker gets <c>kill -9</c> (in turn the coordinator's worker and the worker killed least recently), the
/// survivors serve every shard with all sessions, the killed worker restarts on the same ports, takes its share of
/// the shards back and every shard's backup is whole again. No session is lost, no request fails, every counter holds
/// exactly its acknowledged increments and every written attribute its last acknowledged value.
/// </summary>
[Trait("Category", "MultiNode")]
public sealed class ChaosSpec(ITestOutputHelper output) : LoadedClusterSpec
{
    private const int NumberOfShards = 100;
    private const int SessionCount = 1_000;
    private const int Kills = 5;
    private const int InFlight = 16;
    private const int LoadLoops = 8;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly long _started = Stopwatch.GetTimestamp();

    public override Task DisposeAsync()
    {
        _http.Dispose();
        return base.DisposeAsync();
    }

    [Fact]
    public async Task ThreeWorkersAndAFront_FiveKillsAndRestartsUnderLoad_NoSessionLostAndEveryAcknowledgedWriteKept()
    {
        try
        {
            await KillAndRestartInTurn();
        }
        catch
        {
            output.WriteLine(Cluster.Alerts());
            output.WriteLine(Cluster.Report());
            throw;
        }
    }

    private async Task KillAndRestartInTurn()
    {
        await Cluster.LaunchOneByOneAsync(Deadline);
        ConnectThroughFront(InFlight);
        var (fleet, failures) = await SessionFleet.CreateAsync(FrontClient, SessionCount, InFlight);
        Assert.True(failures.Count == 0, $"creations failed: {string.Join("\n", failures.Take(10))}");
        await Cluster.WaitForWholeReplicasAsync(Cluster.Workers, NumberOfShards, Deadline);
        Log($"{SessionCount} sessions created, every shard's backup whole");

        var traffic = Traffic = SessionTraffic.Start(FrontClient, fleet, LoadLoops, Random.Shared.Next(), writeAttributes: true);
        var lastKilled = new Dictionary<string, int>();
        for (var kill = 1; kill <= Kills; kill++)
        {
            var coordinator = (await Cluster.CoordinatorAsync(Deadline))!;
            var workers = Cluster.Workers;

            // Even kills take the coordinator's worker; odd ones the worker killed least recently (never first) among the others.
            var victim = kill % 2 == 0 && workers.FirstOrDefault(worker => worker.ClusterAddress == coordinator) is { } host
                ? host
                : workers.Where(worker => worker.ClusterAddress != coordinator).OrderBy(worker => lastKilled.GetValueOrDefault(worker.Node)).First();
            lastKilled[victim.Node] = kill;
            var failedBefore = traffic.Failed;
            await KillAndRestart(kill, victim, coordinator);
            Log($"  kill {kill}: {traffic.Failed - failedBefore} requests failed during it; so far {traffic.Summary(maxFailures: 0)}");
        }

        await StopLoadAndVerifySessionsAsync(traffic, fleet, InFlight, $"under {Kills} kills and restarts", Log);
        output.WriteLine(Cluster.Alerts());
    }

    private async Task KillAndRestart(int kill, NodeProcess victim, string coordinator)
    {
        var survivors = Cluster.Workers.Where(worker => worker != victim).Select(worker => worker.ClusterAddress).ToHashSet();
        var role = victim.ClusterAddress == coordinator ? "the coordinator's worker" : $"not the coordinator's ({coordinator})";
        var killed = Stopwatch.GetTimestamp();
        victim.Kill();
        await Eventually.Value(
            async () => (await Cluster.ReadShardsAsync(Cluster.Front(1))).Table,
            table => table is not null && table.Shards.Count == NumberOfShards && table.Shards.All(shard => shard.Home is { } home && survivors.Contains(home)) &&
                     table.TotalSessions == SessionCount,
            $"every shard served by the survivors [{string.Join(", ", survivors)}] with all {SessionCount} sessions, after kill -9 of {victim.Name}",
            Deadline);
        var served = Stopwatch.GetElapsedTime(killed);

        var restarted = Cluster.Restart(victim);
        var everyone = Cluster.Workers.Select(worker => worker.ClusterAddress).ToList();
        await Eventually.Value(
            async () => (await Cluster.ReadShardsAsync(Cluster.Front(1))).Table,
            table => table is not null && table.IsBalancedOver(everyone, NumberOfShards) && table.TotalSessions == SessionCount,
            $"the shards balanced over [{string.Join(", ", everyone)}] again with all {SessionCount} sessions, {restarted.Name} back",
            Deadline);
        var balanced = Stopwatch.GetElapsedTime(killed);
        await Cluster.WaitForWholeReplicasAsync(Cluster.Workers, NumberOfShards, Deadline);
        Log($"kill {kill}: {victim.Name} ({role}) killed; survivors serve every shard after {served.TotalMilliseconds:0} ms; " +
            $"{restarted.Name} holds its share after {balanced.TotalMilliseconds:0} ms; backups whole after {Stopwatch.GetElapsedTime(killed).TotalMilliseconds:0} ms");
    }

    /// <summary>Waits until, in the front's table, every shard has a home and a backup among the workers, and each
    /// backup's own <c>/cluster/shards/local</c> says its copy is whole; the same on two polls in a row. A worker that
    /// does not answer (still starting) counts as holding no whole copy.</summary>
    private void Log(string line) => output.WriteLine($"{Stopwatch.GetElapsedTime(_started).TotalSeconds,6:0.0} s  {line}");
}
