using System.Diagnostics;
using SessionCluster.MultiNode.Tests.Support;
using SessionCluster.TestKit;
using Xunit.Abstractions;

namespace SessionCluster.MultiNode.Tests;

/// <summary>
/// Sharded sessions across real processes on 127.0.0.1: a Lighthouse, three workers and a front node form a cluster,
/// 10,000 sessions are created through the front, and under a steady load of reads and increments through the front a
/// fourth worker joins (its share of the shards moves to it), then a worker is stopped with SIGTERM (its shards move
/// away before it leaves), then the worker hosting the shard coordinator is stopped the same way (the next oldest
/// worker takes the coordinator over). No request may fail, and every session's counter must equal exactly the
/// increments the cluster acknowledged.
/// </summary>
/// <remarks>
/// One cluster walks through the phases in order; a failure names its phase and prints the load's failures and every
/// node's log. Every wait is a deadline on a condition read over HTTP: <c>GET /cluster/members</c> for membership,
/// the front's <c>GET /cluster/shards</c> for placement, which must also hold unchanged for several polls in a row
/// before a phase counts it as settled. The nodes join one at a time: formation is the lifecycle spec's subject, and a
/// joining node stalled by five processes starting at once on two cores could be downed before this spec begins.
/// </remarks>
[Trait("Category", "MultiNode")]
public sealed class ShardingSpec(ITestOutputHelper output) : LoadedClusterSpec
{
    /// <summary><c>session-cluster.sharding.number-of-shards</c> in hocon/reference.conf.</summary>
    private const int NumberOfShards = 100;

    private const int SessionCount = 10_000;

    /// <summary>Requests in flight while creating and verifying sessions.</summary>
    private const int InFlight = 32;

    /// <summary>Load loops, each with one request in flight.</summary>
    private const int LoadLoops = 16;

    /// <summary>Consecutive polls (about 0.1–0.2 s apart) that must show the same placement before it counts as settled.</summary>
    private const int StablePolls = 3;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>How long the load goes on after the shards settle on the joined worker: traffic on the moved shards' new homes.</summary>
    private static readonly TimeSpan LoadAfterSettling = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task ThreeWorkersAndAFront_WorkerJoinsThenWorkerAndCoordinatorLeaveUnderLoad_NoRequestFailsAndEveryCounterIsExact()
    {
        var originals = new List<NodeProcess>();
        SessionFleet? fleet = null;
        var coordinator = "";
        ShardTableView? settled = null;

        await Phase("1 form: the Lighthouse, 3 workers and a front join one by one; the shards spread 33/33/34", async () =>
        {
            await Cluster.LaunchOneByOneAsync(Deadline);
            originals.AddRange(Cluster.Workers);
            ConnectThroughFront(InFlight);
            var everyone = Cluster.Nodes.ToList();
            await Eventually.Value(
                () => Cluster.ReadAsync(everyone),
                snapshot => snapshot.AllSeeExactlyUp(Addresses(everyone)),
                $"every node to see exactly [{string.Join(", ", Addresses(everyone))}] Up and reachable, converged, under one leader",
                Deadline);

            coordinator = (await OldestWorker(originals)).Address;
            settled = await SettledShards(Addresses(originals), coordinator, sessions: 0, before: null);
        });

        await Phase($"2 create: {SessionCount} sessions through the front, {InFlight} requests in flight", async () =>
        {
            var started = Stopwatch.GetTimestamp();
            var (created, failures) = await SessionFleet.CreateAsync(FrontClient, SessionCount, InFlight);
            var elapsed = Stopwatch.GetElapsedTime(started);
            Assert.True(failures.Count == 0, $"{failures.Count} of {SessionCount} creations failed; the first ones:\n  {string.Join("\n  ", failures.Take(20))}");
            Assert.Equal(SessionCount, created.Sessions.Count);
            fleet = created;
            output.WriteLine($"  created {SessionCount} sessions in {elapsed.TotalSeconds:0.0} s ({SessionCount / elapsed.TotalSeconds:0}/s)");

            await Eventually.Value(
                () => ReadFrontShardsAsync(),
                table => table?.TotalSessions == SessionCount,
                $"the front's /cluster/shards to count {SessionCount} sessions over all shards",
                Deadline);
        });

        await Phase("3 join under load: a 4th worker takes its share, 25/25/25/25", async () =>
        {
            await StartLoad(fleet!);
            var joiner = Cluster.AddWorker();
            settled = await SettledShards(Addresses([.. originals, joiner]), coordinator, SessionCount, settled);

            // Load duration, not a wait for a condition: requests on the moved shards at their new homes.
            await Task.Delay(LoadAfterSettling);
            await StopLoadAndVerify(fleet!);
        });

        var leaver = originals.First(worker => worker.ClusterAddress != coordinator);
        await Phase($"4 leave under load: SIGTERM to {leaver.Name}, not the coordinator; its shards move to the other 3 workers", async () =>
        {
            settled = await LeaveUnderLoad(leaver, fleet!, coordinator, settled);
        });

        var oldCoordinator = Cluster.Workers.Single(worker => worker.ClusterAddress == coordinator);
        await Phase($"5 coordinator leaves under load: SIGTERM to {oldCoordinator.Name}; the next oldest worker takes over, 50/50", async () =>
        {
            var successor = (await OldestWorker(Running(Cluster.Workers).Where(worker => worker != oldCoordinator))).Address;
            settled = await LeaveUnderLoad(oldCoordinator, fleet!, successor, settled);
        });
    }

    /// <summary>
    /// Stops <paramref name="leaver"/> with SIGTERM under load and requires: it exits with 0, all shards settle on the
    /// other workers with the coordinator on <paramref name="coordinator"/>, no session is lost, no request fails, every
    /// counter is exact, and every remaining node sees the leaver gone. Returns the settled table.
    /// </summary>
    private async Task<ShardTableView> LeaveUnderLoad(NodeProcess leaver, SessionFleet fleet, string coordinator, ShardTableView? before)
    {
        var remainingWorkers = Running(Cluster.Workers).Where(worker => worker != leaver).ToList();
        var remaining = Running(Cluster.Nodes).Where(node => node != leaver).ToList();
        await StartLoad(fleet);
        await leaver.TerminateAsync();

        var exitCode = await leaver.WaitForExitAsync(Deadline);
        Assert.True(exitCode == 0, $"{leaver.Name} exited with {exitCode} after SIGTERM; expected 0.");
        var settled = await SettledShards(Addresses(remainingWorkers), coordinator, SessionCount, before);
        var drained = $"Node {leaver.Node} drained its shards (complete: True)";
        Assert.True(leaver.LogContains(drained), $"{leaver.Name} never logged '{drained}' before it left.");

        await StopLoadAndVerify(fleet);
        await Eventually.Value(
            () => Cluster.ReadAsync(remaining),
            snapshot => snapshot.AllSeeExactlyUp(Addresses(remaining)),
            $"every remaining node to have removed {leaver.ClusterAddress} and see exactly [{string.Join(", ", Addresses(remaining))}] Up, converged",
            Deadline);

        var downed = $"MemberDowned {{ Member = {leaver.ClusterAddress}#";
        var downedBy = remaining.Where(node => node.LogContains(downed)).Select(node => node.Name).ToList();
        Assert.True(downedBy.Count == 0, $"A graceful leave must not be downed, yet {string.Join(", ", downedBy)} logged '{downed}'.");
        return settled;
    }

    /// <summary>The oldest of <paramref name="workers"/> in the front's view (lowest up-number): where the coordinator belongs.</summary>
    private async Task<MemberView> OldestWorker(IEnumerable<NodeProcess> workers)
    {
        var addresses = Addresses(workers);
        var snapshot = await Cluster.ReadAsync([Cluster.Front(1)]);
        var view = snapshot.Views[0].View ?? throw new InvalidOperationException($"The front gave no view of the members: {snapshot}");
        return view.Members
            .Where(member => addresses.Contains(member.Address))
            .OrderBy(member => member.UpNumber)
            .ThenBy(member => member.Address, StringComparer.Ordinal)
            .First();
    }

    /// <summary>
    /// Waits until the front's <c>GET /cluster/shards</c> shows all shards balanced over exactly <paramref name="homes"/>
    /// (floor or ceiling of the fair share each), the coordinator on <paramref name="coordinator"/>, the shards holding
    /// <paramref name="sessions"/> sessions in all (none lost or doubled by a move), and the same placement (every
    /// shard's home and epoch) on <see cref="StablePolls"/> polls in a row. Returns the last table, and writes how many
    /// shards moved since <paramref name="before"/>.
    /// </summary>
    private async Task<ShardTableView> SettledShards(IReadOnlyCollection<string> homes, string coordinator, long sessions, ShardTableView? before)
    {
        var streak = 0;
        var placement = "";
        var settled = (await Eventually.Value(
            async () =>
            {
                var table = await ReadFrontShardsAsync();
                if (table is not null && table.IsBalancedOver(homes, NumberOfShards) && table.Coordinator == coordinator && table.TotalSessions == sessions)
                {
                    streak = table.Placement == placement ? streak + 1 : 1;
                    placement = table.Placement;
                }
                else
                {
                    streak = 0;
                    placement = "";
                }

                return (Table: table, Streak: streak);
            },
            reading => reading.Streak >= StablePolls,
            $"the front's /cluster/shards to show all {NumberOfShards} shards balanced over exactly [{string.Join(", ", homes)}], the coordinator on " +
            $"{coordinator}, {sessions} sessions, unchanged for {StablePolls} polls",
            Deadline)).Table!;
        output.WriteLine($"  settled: {settled}{(before is null ? "" : $"; {settled.MovedSince(before)} shards moved")}");
        return settled;
    }

    /// <summary>The front's shard table, or null when it gave none (the reason goes to the test output).</summary>
    private async Task<ShardTableView?> ReadFrontShardsAsync()
    {
        var (table, error) = await Cluster.ReadShardsAsync(Cluster.Front(1));
        if (error is not null)
        {
            output.WriteLine($"  {DateTime.Now:HH:mm:ss.fff} front's /cluster/shards: {error}");
        }

        return table;
    }

    /// <summary>Starts a new load on <paramref name="fleet"/>, the last one's loops all stopped.</summary>
    private async Task StartLoad(SessionFleet fleet)
    {
        if (Traffic is not null)
        {
            await Traffic.DisposeAsync();
        }

        Traffic = SessionTraffic.Start(FrontClient, fleet, LoadLoops, Random.Shared.Next());
    }

    /// <summary>Stops the load, then requires that no request failed and that every session's counter is exact.</summary>
    private async Task StopLoadAndVerify(SessionFleet fleet)
    {
        var traffic = Traffic ?? throw new InvalidOperationException("No load is running.");
        await traffic.StopAsync();
        output.WriteLine($"  load: {traffic.Summary()}");
        Assert.True(traffic.Failed == 0, $"Requests failed under load: {traffic.Summary()}");
        Assert.True(traffic.Increments > 0, $"The load acknowledged no increment: {traffic.Summary()}");

        var started = Stopwatch.GetTimestamp();
        var discrepancies = await fleet.VerifyCountersAsync(FrontClient, SessionTraffic.Counter, InFlight);
        output.WriteLine($"  verified {fleet.Sessions.Count} counters in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
        Assert.True(
            discrepancies.Count == 0,
            $"{discrepancies.Count} of {fleet.Sessions.Count} sessions do not hold their acknowledged increments; the first ones:\n  {string.Join("\n  ", discrepancies.Take(20))}");
    }

    /// <summary>The nodes whose processes still run: those a phase before did not stop.</summary>
    private static IEnumerable<NodeProcess> Running(IEnumerable<NodeProcess> nodes) => nodes.Where(node => !node.HasExited);

    private static List<string> Addresses(IEnumerable<NodeProcess> nodes) => [.. nodes.Select(node => node.ClusterAddress)];

    /// <summary>Runs one phase; on failure, throws with the phase's name, its duration, the load's failures and every node's log.</summary>
    private async Task Phase(string name, Func<Task> body)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await body();
        }
        catch (Exception exception)
        {
            // Stopped first, so that the summary is final and the load no longer runs while the logs are read.
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
