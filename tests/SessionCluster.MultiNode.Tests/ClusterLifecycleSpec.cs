using System.Diagnostics;
using SessionCluster.MultiNode.Tests.Support;
using SessionCluster.TestKit;
using Xunit.Abstractions;

namespace SessionCluster.MultiNode.Tests;

/// <summary>
/// A Lighthouse and three workers as real processes on 127.0.0.1, through a node's whole life: the cluster forms, a
/// worker is killed (kill -9) and the others remove it, it restarts on the same ports as a new incarnation and
/// rejoins, another worker is stopped with SIGTERM and leaves gracefully, the Lighthouse is killed and restarted and
/// rejoins the workers' cluster (a lone seed must not form a second one), and a worker restarted after that joins
/// through it into the same cluster.
/// </summary>
/// <remarks>
/// One cluster walks through the phases in order, since each starts from where the last one left the cluster;
/// a failure names its phase and prints every node's log. Every wait is a deadline on a condition read from each
/// node's <c>GET /cluster/members</c>, generous for a loaded 2-core CI machine (detection and removal take ~2.5 s
/// on an idle one).
/// </remarks>
[Trait("Category", "MultiNode")]
public sealed class ClusterLifecycleSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private LocalCluster? _cluster;

    private LocalCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster has not started.");

    public async Task InitializeAsync() => _cluster = await LocalCluster.StartAsync(workers: 3);

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task LighthouseAndThreeWorkers_CrashRestartAndLeave_EverySurvivorsViewFollows()
    {
        var everyone = Cluster.Nodes.ToList();
        var crashed = Cluster.Worker(2);
        var leaver = Cluster.Worker(3);
        var survivors = everyone.Where(node => node != crashed).ToList();
        var crashedUid = "";

        await Phase("1 form: the Lighthouse and 3 workers join", async () =>
        {
            var formed = await Eventually.Value(
                () => Cluster.ReadAsync(everyone),
                snapshot => snapshot.AllSeeExactlyUp(Addresses(everyone)),
                $"every node to see exactly [{string.Join(", ", Addresses(everyone))}] Up and reachable, converged, under one leader",
                Deadline);
            crashedUid = formed.Views[0].View!.Find(crashed.ClusterAddress)!.Uid;
        });

        await Phase($"2 crash: kill -9 {crashed.Name}", async () =>
        {
            crashed.Kill();
            await crashed.WaitForExitAsync(Deadline);

            // The window between unreachable and removed is about a second; a poll can miss it on a loaded machine,
            // so a survivor that was never caught showing it must have logged the event instead.
            var sawUnreachable = new HashSet<NodeProcess>();
            await Eventually.Value(
                async () =>
                {
                    var snapshot = await Cluster.ReadAsync(survivors);
                    foreach (var (observer, view, _) in snapshot.Views)
                    {
                        if (view?.Find(crashed.ClusterAddress) is { } member && (!member.Reachable || member.Status == "Down"))
                        {
                            sawUnreachable.Add(observer);
                        }
                    }

                    return snapshot;
                },
                snapshot => snapshot.AllSeeExactlyUp(Addresses(survivors)),
                $"every survivor to remove {crashed.ClusterAddress}#{crashedUid} and see exactly [{string.Join(", ", Addresses(survivors))}] Up, converged",
                Deadline);

            var unreachableEvent = $"UnreachableMember {{ Member = {crashed.ClusterAddress}#{crashedUid} ";
            foreach (var survivor in survivors.Where(survivor => !sawUnreachable.Contains(survivor)))
            {
                await Eventually.True(
                    () => survivor.LogContains(unreachableEvent),
                    $"{survivor.Name} to have marked {crashed.ClusterAddress} unreachable before removing it (no poll saw it so; its log has no '{unreachableEvent}')",
                    TimeSpan.FromSeconds(5));
            }
        });

        var restarted = crashed;
        await Phase($"3 restart: {crashed.Node} on the same ports rejoins as a new incarnation", async () =>
        {
            restarted = Cluster.Restart(crashed);
            var rejoined = await Eventually.Value(
                () => Cluster.ReadAsync(Cluster.Nodes),
                snapshot => snapshot.AllSeeExactlyUp(Addresses(everyone)),
                $"every node to see exactly [{string.Join(", ", Addresses(everyone))}] Up, converged, with {restarted.Name} back",
                Deadline);
            foreach (var (observer, view, _) in rejoined.Views)
            {
                Assert.True(view!.Find(restarted.ClusterAddress)!.Uid != crashedUid, $"{observer.Name} still sees the killed incarnation #{crashedUid}: {view}");
            }
        });

        await Phase($"4 leave: SIGTERM to {leaver.Name}", async () =>
        {
            var leaverUid = (await Cluster.ReadAsync([Cluster.Lighthouse])).Views[0].View!.Find(leaver.ClusterAddress)!.Uid;
            var remaining = Cluster.Nodes.Where(node => node != leaver).ToList();
            await leaver.TerminateAsync();

            var exitCode = await leaver.WaitForExitAsync(Deadline);
            Assert.True(exitCode == 0, $"{leaver.Name} exited with {exitCode} after SIGTERM; expected 0.");
            await Eventually.Value(
                () => Cluster.ReadAsync(remaining),
                snapshot => snapshot.AllSeeExactlyUp(Addresses(remaining)),
                $"every remaining node to remove {leaver.ClusterAddress} and see exactly [{string.Join(", ", Addresses(remaining))}] Up, converged",
                Deadline);

            var downed = $"MemberDowned {{ Member = {leaver.ClusterAddress}#{leaverUid} ";
            var downedBy = remaining.Where(node => node.LogContains(downed)).Select(node => node.Name).ToList();
            Assert.True(downedBy.Count == 0, $"A graceful leave must not be downed, yet {string.Join(", ", downedBy)} logged '{downed}'.");
        });

        var killedUids = new List<string> { $"{crashed.ClusterAddress}#{crashedUid}" };
        await Phase("5 seed: kill -9 the Lighthouse, the workers remove it; restarted, it rejoins their cluster instead of forming its own", async () =>
        {
            var lighthouse = Cluster.Lighthouse;
            var workers = Live().Where(node => node != lighthouse).ToList();
            killedUids.Add($"{lighthouse.ClusterAddress}#{(await Cluster.ReadAsync(workers)).Views[0].View!.Find(lighthouse.ClusterAddress)!.Uid}");
            lighthouse.Kill();
            await lighthouse.WaitForExitAsync(Deadline);
            await Eventually.Value(
                () => Cluster.ReadAsync(workers),
                snapshot => snapshot.AllSeeExactlyUp(Addresses(workers)),
                $"the workers to remove the Lighthouse and see exactly [{string.Join(", ", Addresses(workers))}] Up, converged",
                Deadline);

            var seed = Cluster.Restart(lighthouse);
            await Eventually.Value(
                () => Cluster.ReadAsync(Live()),
                snapshot => snapshot.AllSeeExactlyUp(Addresses(Live())),
                $"every node, the restarted Lighthouse included, to see exactly [{string.Join(", ", Addresses(Live()))}] Up in one cluster",
                Deadline);
            var view = (await Cluster.ReadAsync([seed])).Views[0].View!;
            Assert.True(view.Find(seed.ClusterAddress)!.Uid != killedUids[^1].Split('#')[1], $"the Lighthouse's view still holds its killed incarnation: {view}");
        });

        await Phase("6 a worker killed and restarted now joins through the restarted Lighthouse into the same cluster", async () =>
        {
            var worker = Live().Last(node => node != Cluster.Lighthouse);
            killedUids.Add($"{worker.ClusterAddress}#{(await Cluster.ReadAsync([Cluster.Lighthouse])).Views[0].View!.Find(worker.ClusterAddress)!.Uid}");
            worker.Kill();
            await worker.WaitForExitAsync(Deadline);
            var others = Live().Where(node => node != worker).ToList();
            await Eventually.Value(
                () => Cluster.ReadAsync(others),
                snapshot => snapshot.AllSeeExactlyUp(Addresses(others)),
                $"the others to remove {worker.Name}",
                Deadline);

            Cluster.Restart(worker);
            await Eventually.Value(
                () => Cluster.ReadAsync(Live()),
                snapshot => snapshot.AllSeeExactlyUp(Addresses(Live())),
                $"every node to see exactly [{string.Join(", ", Addresses(Live()))}] Up in one cluster, the restarted worker included",
                Deadline);
        });

        await Phase("7 no false downing: only the killed incarnations were ever downed", () =>
        {
            var falseDownings = Cluster.Incarnations
                .SelectMany(node => node.LinesContaining("MemberDowned { Member = ").Select(line => (node.Name, Line: line)))
                .Where(entry => !killedUids.Any(killed => entry.Line.Contains($"MemberDowned {{ Member = {killed} ", StringComparison.Ordinal)))
                .Select(entry => $"{entry.Name}: {entry.Line.Trim()}")
                .ToList();
            Assert.True(falseDownings.Count == 0, $"Members that were never killed were downed:\n{string.Join("\n", falseDownings)}");
            return Task.CompletedTask;
        });
    }

    /// <summary>The latest incarnation of every node that still runs (the SIGTERM'd leaver does not).</summary>
    private List<NodeProcess> Live() => [.. Cluster.Nodes.Where(node => !node.HasExited)];

    private static List<string> Addresses(IEnumerable<NodeProcess> nodes) => [.. nodes.Select(node => node.ClusterAddress)];

    /// <summary>Runs one phase; on failure, throws with the phase's name, its duration and every node's log.</summary>
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
                $"Phase '{name}' failed after {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s: {exception.Message}\n\nNode logs:{Cluster.Report()}",
                exception);
        }

        output.WriteLine($"{name}: {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
    }
}
