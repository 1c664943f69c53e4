using System.Diagnostics;
using SessionCluster.MultiNode.Tests.Support;
using SessionCluster.TestKit;
using Xunit.Abstractions;

namespace SessionCluster.MultiNode.Tests;

/// <summary>
/// A real network partition under load: a Lighthouse, three workers and a front, one worker in a network namespace of
/// its own (<see cref="NamespaceLink"/>): worker-3, or worker-1, where the shard coordinator runs. The link to it is cut
/// while reads, increments and attribute writes run through the front: no connection is refused, packets just stop, as
/// when a cable is pulled. The majority side (four of five members) finds the worker unreachable, downs it and serves its
/// shards from their backups, with the coordinator on a survivor; the worker, alone, downs itself and exits (code 3: put
/// out) rather than serve as a second cluster. No request fails, every acknowledged write is kept. Once the link is
/// back, a new incarnation of the worker joins across it, takes its share of the shards, and every session still holds
/// exactly what was acknowledged. Each case is a class of its own (below), so that the cluster, started before the test
/// runs, already knows which worker goes inside.
/// </summary>
public abstract class PartitionSpec(ITestOutputHelper output, int cutOff, bool cutsCoordinator) : LoadedClusterSpec
{
    private const int NumberOfShards = 100;
    private const int SessionCount = 500;
    private const int InFlight = 16;
    private const int LoadLoops = 8;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LoadAfterPartition = TimeSpan.FromSeconds(2);

    private NamespaceLink? _link;

    private NamespaceLink Link => _link ?? throw new InvalidOperationException("The link has not been made.");

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_link is not null)
        {
            await _link.DisposeAsync();
        }
    }

    [PartitionFact]
    public async Task ThreeWorkersAndAFront_OneWorkerCutOffUnderLoad_MajorityServesEverythingAndTheMinorityStops()
    {
        try
        {
            await CutOffWorker(cutOff);
        }
        catch
        {
            output.WriteLine(Cluster.Report());
            throw;
        }
    }

    /// <summary>The worker this case cuts off inside the namespace, every other node outside it.</summary>
    private protected override async Task<LocalCluster> StartClusterAsync()
    {
        var link = _link = await NamespaceLink.CreateAsync();
        var inside = "worker-" + cutOff.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await LocalCluster.StartAsync(workers: 3, fronts: 1, oneByOne: true, places: name => name == inside ? link.Inside : link.Outside);
    }

    private async Task CutOffWorker(int worker)
    {
        var cluster = Cluster;
        await cluster.LaunchOneByOneAsync(Deadline);
        var front = ConnectThroughFront(InFlight);
        var (fleet, failures) = await SessionFleet.CreateAsync(front, SessionCount, InFlight);
        Assert.True(failures.Count == 0, $"creations failed: {string.Join("\n", failures.Take(10))}");
        await cluster.WaitForSettledAsync(cluster.Workers, NumberOfShards, Deadline);

        var isolated = cluster.Worker(worker);
        var coordinator = await cluster.CoordinatorAsync(Deadline);
        output.WriteLine($"{isolated.Name} ({isolated.ClusterAddress}) in its own namespace; the coordinator is on {coordinator}");
        Assert.True(cutsCoordinator == (coordinator == isolated.ClusterAddress),
            $"the coordinator is on {coordinator}; this case cuts off {isolated.Name} ({isolated.ClusterAddress}), {(cutsCoordinator ? "which should host it" : "which should not")}");
        var majority = cluster.Nodes.Where(node => node != isolated).ToList();
        var survivors = cluster.Workers.Where(worker => worker != isolated).ToList();
        var isolatedShards = (await cluster.ReadShardsAsync(cluster.Front(1))).Table?.Shards.Count(shard => shard.Home == isolated.ClusterAddress) ?? 0;
        Assert.True(isolatedShards > 0, $"{isolated.Name} is home to no shard before the cut");

        var traffic = Traffic = SessionTraffic.Start(front, fleet, LoadLoops, Random.Shared.Next(), writeAttributes: true);
        // Load duration before the cut, not a wait for a condition: requests in flight to worker-3 when its link goes.
        await Task.Delay(TimeSpan.FromMilliseconds(500));

        var cut = Stopwatch.GetTimestamp();
        await Link.CutAsync();
        output.WriteLine($"link to {isolated.Name} ({isolated.ClusterAddress}) cut; it was home to {isolatedShards} shards");

        // The majority side: worker-3 gone from every view, its shards served by the survivors with every session.
        var homes = survivors.Select(worker => worker.ClusterAddress).ToHashSet();
        var majorityAddresses = majority.Select(node => node.ClusterAddress).ToList();
        await Eventually.Value(
            () => cluster.ReadAsync(majority),
            snapshot => snapshot.AllSeeExactlyUp(majorityAddresses) && snapshot.Every(view => view.Find(isolated.ClusterAddress) is null),
            $"the majority [{string.Join(", ", majority.Select(node => node.Name))}] to remove {isolated.Name}",
            Deadline);
        output.WriteLine($"  the majority removed {isolated.Name} {Stopwatch.GetElapsedTime(cut).TotalMilliseconds:0} ms after the cut");
        await Eventually.Value(
            async () => (await cluster.ReadShardsAsync(cluster.Front(1))).Table,
            table => table is not null && table.Shards.Count == NumberOfShards && table.Shards.All(shard => shard.Home is { } home && homes.Contains(home)) &&
                     table.TotalSessions == SessionCount,
            $"every shard served by the survivors with all {SessionCount} sessions",
            Deadline);
        output.WriteLine($"  every shard served by the survivors {Stopwatch.GetElapsedTime(cut).TotalMilliseconds:0} ms after the cut");
        var coordinatorAfter = await cluster.CoordinatorAsync(Deadline);
        Assert.True(homes.Contains(coordinatorAfter), $"the coordinator runs on a survivor after the cut, not on {coordinatorAfter}");
        output.WriteLine($"  the coordinator on {coordinatorAfter}{(coordinator == isolated.ClusterAddress ? ", moved from the cut-off worker" : "")}");

        // The minority side: alone, worker-3 downs itself and exits instead of serving as a cluster of its own.
        var exitCode = await isolated.WaitForExitAsync(Deadline);
        output.WriteLine($"  {isolated.Name} exited with {exitCode} {Stopwatch.GetElapsedTime(cut).TotalMilliseconds:0} ms after the cut");
        Assert.True(exitCode == 3, $"{isolated.Name} exited with {exitCode}; a node the cluster put out exits with 3 (NodeExitCodes.ShutOut)");
        var why = isolated.LinesContaining("out of the cluster");
        Assert.True(why.Count > 0, $"{isolated.Name} says why it stopped:\n{isolated.Describe(40)}");
        output.WriteLine($"  {isolated.Name}: {why[0].Trim()}");

        // Load duration, not a wait for a condition: requests on the promoted shards at their new homes.
        await Task.Delay(LoadAfterPartition);
        await traffic.StopAsync();
        output.WriteLine($"  load: {traffic.Summary()}");
        Assert.True(traffic.Failed == 0, $"Requests failed across the partition: {traffic.Summary()}");
        var lost = await fleet.VerifySessionsAsync(front, SessionTraffic.Counter, InFlight);
        Assert.True(lost.Count == 0, $"{lost.Count} sessions lost acknowledged writes:\n  {string.Join("\n  ", lost.Take(20))}");

        // The link back: a new incarnation of worker-3 joins and takes shards again.
        await Link.RestoreAsync();
        var rejoined = cluster.Restart(isolated);
        var everyone = cluster.Nodes.Select(node => node.ClusterAddress).ToList();
        await Eventually.Value(
            () => cluster.ReadAsync(cluster.Nodes),
            snapshot => snapshot.AllSeeExactlyUp(everyone),
            $"every node, {rejoined.Name} included, to see all {everyone.Count} members Up",
            Deadline);
        await cluster.WaitForSettledAsync(cluster.Workers, NumberOfShards, Deadline);
        output.WriteLine($"  {rejoined.Name} joined across the restored link and took its share of the shards");

        lost = await fleet.VerifySessionsAsync(front, SessionTraffic.Counter, InFlight);
        Assert.True(lost.Count == 0, $"{lost.Count} sessions lost acknowledged writes after the rejoin:\n  {string.Join("\n  ", lost.Take(20))}");
    }
}

/// <summary><see cref="PartitionSpec"/> with worker-3 cut off, a worker without the coordinator.</summary>
[Trait("Category", "MultiNode")]
public sealed class WorkerPartitionSpec(ITestOutputHelper output) : PartitionSpec(output, cutOff: 3, cutsCoordinator: false);

/// <summary><see cref="PartitionSpec"/> with worker-1 cut off, the oldest worker, where the shard coordinator runs: the
/// majority also moves the coordinator to a survivor, which rebuilds the allocation table and promotes the backups.</summary>
[Trait("Category", "MultiNode")]
public sealed class CoordinatorPartitionSpec(ITestOutputHelper output) : PartitionSpec(output, cutOff: 1, cutsCoordinator: true);
