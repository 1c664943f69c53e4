using System.Diagnostics;
using SessionCluster.MultiNode.Tests.Support;
using SessionCluster.TestKit;
using Xunit.Abstractions;

namespace SessionCluster.MultiNode.Tests;

/// <summary>
/// A rolling restart, as a deployment does it, across real processes on 127.0.0.1: a Lighthouse, three workers and a
/// front; 2,000 sessions under one steady load through the front of reads, increments and attribute writes. In turn
/// each worker (the coordinator's first) and then the Lighthouse gets SIGTERM, exits with 0, and is started again at
/// once on the same ports, a new incarnation at the address its last one just left. A restarted worker is the youngest,
/// so the coordinator moves on every worker's restart: each worker is the coordinator's when it is stopped. After each restart every node sees
/// exactly the current incarnations Up, the shards are balanced over the three workers again with every session, and
/// every backup copy is whole. No request fails, and every session holds exactly its acknowledged increments and the
/// last acknowledged value of every attribute written.
/// </summary>
/// <remarks>
/// Unlike <see cref="ShardingSpec"/> (leaves for good) and <see cref="ChaosSpec"/> (kill -9 and restart), nothing here
/// is lost to a crash: a leaver hands its shards off before it exits, so the load may not see a single failure. The
/// front is not restarted: its clients' open connections would be cut, which no server can hide.
/// </remarks>
[Trait("Category", "MultiNode")]
public sealed class RollingRestartSpec(ITestOutputHelper output) : LoadedClusterSpec
{
    /// <summary><c>session-cluster.sharding.number-of-shards</c> in hocon/reference.conf.</summary>
    private const int NumberOfShards = 100;

    private const int SessionCount = 2_000;
    private const int InFlight = 16;
    private const int LoadLoops = 8;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly long _started = Stopwatch.GetTimestamp();

    [Fact]
    public async Task ThreeWorkersAndTheLighthouse_RestartedOneByOneWithSigterm_NoRequestFailsAndEveryWriteIsKept()
    {
        try
        {
            await RestartEveryNodeInTurn();
        }
        catch
        {
            if (Traffic is not null)
            {
                await Traffic.StopAsync();
                output.WriteLine($"load: {Traffic.Summary(maxFailures: 50)}");
            }

            output.WriteLine(Cluster.Alerts());
            output.WriteLine(Cluster.Report());
            throw;
        }
    }

    private async Task RestartEveryNodeInTurn()
    {
        await Cluster.LaunchOneByOneAsync(Deadline);
        ConnectThroughFront(InFlight);
        var (fleet, failures) = await SessionFleet.CreateAsync(FrontClient, SessionCount, InFlight);
        Assert.True(failures.Count == 0, $"creations failed: {string.Join("\n", failures.Take(10))}");
        await Cluster.WaitForSettledAsync(Cluster.Workers, NumberOfShards, Deadline);
        Log($"{SessionCount} sessions created, the shards balanced and every backup whole");

        var traffic = Traffic = SessionTraffic.Start(FrontClient, fleet, LoadLoops, Random.Shared.Next(), writeAttributes: true);
        var coordinator = await Cluster.CoordinatorAsync(Deadline);
        var order = Cluster.Workers.OrderBy(worker => worker.ClusterAddress == coordinator ? 0 : 1).Select(worker => worker.Node).Append(Cluster.Lighthouse.Node).ToList();
        foreach (var node in order)
        {
            var failedBefore = traffic.Failed;
            await RestartGracefully(Cluster.Nodes.Single(current => current.Node == node), coordinator);
            Log($"  {traffic.Failed - failedBefore} requests failed during it; so far {traffic.Summary(maxFailures: 0)}");
            coordinator = await Cluster.CoordinatorAsync(Deadline);
        }

        await StopLoadAndVerifySessionsAsync(traffic, fleet, InFlight, "during the rolling restart", Log);
    }

    /// <summary>
    /// SIGTERM to <paramref name="node"/>, which must drain (a worker) and exit with 0; then a new incarnation on the same
    /// ports, at once; then waits until every node sees exactly the current incarnations Up under one leader, the
    /// front's table has every shard balanced over the workers with all sessions, and every backup is whole.
    /// </summary>
    private async Task RestartGracefully(NodeProcess node, string coordinator)
    {
        var what = node.ClusterAddress == coordinator ? "the coordinator's worker" : node == Cluster.Lighthouse ? "the seed" : "a worker";
        var stopped = Stopwatch.GetTimestamp();
        await node.TerminateAsync();
        var exitCode = await node.WaitForExitAsync(Deadline);
        Assert.True(exitCode == 0, $"{node.Name} ({what}) exited with {exitCode} after SIGTERM; expected 0.\n{node.Describe(60)}");
        if (node != Cluster.Lighthouse)
        {
            var drained = $"Node {node.Node} drained its shards (complete: True)";
            Assert.True(node.LogContains(drained), $"{node.Name} never logged '{drained}' before it exited.");
        }

        var exited = Stopwatch.GetElapsedTime(stopped);
        var restarted = Cluster.Restart(node);
        var everyone = Cluster.Nodes.Select(current => current.ClusterAddress).ToList();
        await Eventually.Value(
            () => Cluster.ReadAsync(Cluster.Nodes),
            snapshot => snapshot.AllSeeExactlyUp(everyone),
            $"every node, {restarted.Name} among them, to see exactly [{string.Join(", ", everyone)}] Up and reachable, converged, under one leader",
            Deadline);
        var rejoined = Stopwatch.GetElapsedTime(stopped);

        // A node's view lists addresses, not incarnations: the restarted one must be the member answering for its address.
        var members = (await Cluster.ReadAsync([restarted])).Views[0].View!;
        Assert.True(members.Find(restarted.ClusterAddress)?.IsUpAndReachable == true, $"{restarted.Name} does not see itself Up: {members}");

        await Cluster.WaitForSettledAsync(Cluster.Workers, NumberOfShards, Deadline);
        var table = (await Cluster.ReadShardsAsync(Cluster.Front(1))).Table;
        Assert.True(table?.TotalSessions == SessionCount, $"After {node.Name} restarted the front's table counts {table?.TotalSessions} sessions, not {SessionCount}: {table}");
        Log($"{node.Name} ({what}) restarted: exited (0) after {exited.TotalMilliseconds:0} ms, the new incarnation Up in every view after " +
            $"{rejoined.TotalMilliseconds:0} ms, shards balanced and backups whole after {Stopwatch.GetElapsedTime(stopped).TotalMilliseconds:0} ms");
    }

    private void Log(string line) => output.WriteLine($"{Stopwatch.GetElapsedTime(_started).TotalSeconds,6:0.0} s  {line}");
}
