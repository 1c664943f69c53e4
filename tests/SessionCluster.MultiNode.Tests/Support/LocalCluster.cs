using System.Globalization;
using System.Text;
using SessionCluster.TestKit;

namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>A Lighthouse, N workers and M front nodes as real processes on 127.0.0.1 (or where a spec places them), and
/// their views of the cluster over HTTP.</summary>
/// <remarks>
/// Ports are reserved for all nodes at once and the Lighthouse gets the lowest cluster port, so that it is the
/// member with the lowest address (the leader in the usual rule) and the workers a spec kills are not; a worker added
/// later takes ports above it for the same reason. A node keeps its ports when restarted, as a real worker would. A
/// web node's route (its cookie suffix) is its name. Every incarnation ever started is kept for the failure report and
/// killed on disposal.
/// </remarks>
internal sealed class LocalCluster : IAsyncDisposable
{
    private const string WorkerPrefix = "worker-";
    private const string FrontPrefix = "front-";

    /// <summary>
    /// Pace of polling <c>GET /cluster/members</c>. Every poll is an actor round trip in each node; polling much faster
    /// would load the nodes whose failure detectors the specs observe, on a 2-core machine.
    /// </summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly NodeHosts _hosts;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(3) };
    private readonly PeriodicTimer _poll = new(PollInterval);
    private readonly List<NodeProcess> _incarnations = [];
    private readonly Dictionary<string, (string Dll, IReadOnlyList<string> Arguments)> _launch = [];
    private readonly List<NodeProcess> _current = [];
    private readonly Queue<(string Name, string Config, int ClusterPort, int HttpPort)> _pending = new();
    private readonly Func<string, NodePlace> _places;
    private string _seed = "";

    private LocalCluster(NodeHosts hosts, Func<string, NodePlace>? places)
    {
        _hosts = hosts;
        _places = places ?? (static _ => NodePlace.Loopback);

        // A test host that exits without disposing (a run stopped half-way) must not leave nodes behind either.
        AppDomain.CurrentDomain.ProcessExit += KillAll;
    }

    /// <summary>The latest incarnation of every node started so far, in start order: the Lighthouse, the workers, the fronts, then workers added later.</summary>
    public IReadOnlyList<NodeProcess> Nodes => _current;

    /// <summary>Every process ever started, in start order, restarted ones included.</summary>
    public IReadOnlyList<NodeProcess> Incarnations => _incarnations;

    public NodeProcess Lighthouse => _current[0];

    /// <summary>The latest incarnation of every worker, in the order they were first started.</summary>
    public IReadOnlyList<NodeProcess> Workers => [.. _current.Where(node => node.Node.StartsWith(WorkerPrefix, StringComparison.Ordinal))];

    /// <summary>Worker <paramref name="number"/> (1-based), its latest incarnation.</summary>
    public NodeProcess Worker(int number) => Named(WorkerPrefix + Invariant(number));

    /// <summary>Front node <paramref name="number"/> (1-based), its latest incarnation.</summary>
    public NodeProcess Front(int number) => Named(FrontPrefix + Invariant(number));

    /// <summary>
    /// Starts the Lighthouse, <paramref name="workers"/> workers and <paramref name="fronts"/> front nodes (HTTP only,
    /// no shards) at once; the nodes retry the seed until it answers. With <paramref name="oneByOne"/>, only the
    /// Lighthouse starts here, and <see cref="LaunchOneByOneAsync"/> starts the others. <paramref name="places"/> says
    /// where each node (by name: <c>lighthouse</c>, <c>worker-1</c>, ...) runs; by default all on 127.0.0.1.
    /// </summary>
    public static async Task<LocalCluster> StartAsync(int workers, int fronts = 0, bool oneByOne = false, Func<string, NodePlace>? places = null)
    {
        var cluster = new LocalCluster(NodeHosts.Locate(), places);
        try
        {
            var nodes = 1 + workers + fronts;
            var ports = FreePorts.Take(2 * nodes);
            var clusterPorts = ports.Take(nodes).Order().ToList();
            var httpPorts = ports.Skip(nodes).ToList();
            var lighthouse = cluster._places("lighthouse");
            cluster._seed = $"{lighthouse.Address}:{clusterPorts[0]}";
            cluster.Launch("lighthouse", lighthouse, cluster._hosts.LighthouseDll, clusterPorts[0], httpPorts[0],
                ["--config", cluster._hosts.LighthouseConf, "--hostname", lighthouse.Address, "--port", Invariant(clusterPorts[0]), "--seeds", cluster._seed,
                 "--urls", $"http://{lighthouse.Address}:{httpPorts[0]}"]);
            for (var i = 1; i <= workers; i++)
            {
                cluster._pending.Enqueue((WorkerPrefix + Invariant(i), cluster._hosts.WorkerConf, clusterPorts[i], httpPorts[i]));
            }

            for (var i = 1; i <= fronts; i++)
            {
                cluster._pending.Enqueue((FrontPrefix + Invariant(i), cluster._hosts.FrontConf, clusterPorts[workers + i], httpPorts[workers + i]));
            }

            while (!oneByOne && cluster._pending.TryDequeue(out var node))
            {
                cluster.LaunchWeb(node.Name, node.Config, node.ClusterPort, node.HttpPort);
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts the nodes that <see cref="StartAsync"/> left for later, each once the Lighthouse sees the one before Up
    /// (the Lighthouse itself first): joins then happen one at a time, not amid the start-up of every other process,
    /// which on a loaded 2-core machine can stall a joining node for seconds, past what its failure detector
    /// tolerates. Each node gets <paramref name="deadlinePerNode"/>; at the end every node answers on HTTP.
    /// </summary>
    public async Task LaunchOneByOneAsync(TimeSpan deadlinePerNode)
    {
        var previous = Lighthouse;
        while (true)
        {
            var awaited = previous;
            await Eventually.Value(
                () => ReadAsync([Lighthouse]),
                snapshot => snapshot.Every(view => view.Find(awaited.ClusterAddress)?.IsUpAndReachable == true),
                $"the Lighthouse to see {awaited.Name} ({awaited.ClusterAddress}) Up and reachable before the next node starts",
                deadlinePerNode);
            if (!_pending.TryDequeue(out var node))
            {
                break;
            }

            previous = LaunchWeb(node.Name, node.Config, node.ClusterPort, node.HttpPort);
        }

        // A member is Up before its HTTP port listens (the cluster starts first): wait for every node to answer, so a
        // spec's first request does not meet a refused connection.
        var everyone = Nodes.Select(node => node.ClusterAddress).ToList();
        await Eventually.Value(
            () => ReadAsync(Nodes),
            snapshot => snapshot.Every(view => everyone.All(address => view.Find(address)?.IsUpAndReachable == true)),
            $"every node to answer on HTTP and see all {everyone.Count} members Up",
            deadlinePerNode);
    }

    /// <summary>Starts one more worker on fresh ports, named after the workers started so far (<c>worker-4</c> after three).</summary>
    public NodeProcess AddWorker()
    {
        var ports = FreePorts.Take(2, above: Lighthouse.ClusterPort);
        var name = WorkerPrefix + Invariant(_launch.Keys.Count(key => key.StartsWith(WorkerPrefix, StringComparison.Ordinal)) + 1);
        return LaunchWeb(name, _hosts.WorkerConf, ports[0], ports[1]);
    }

    /// <summary>Starts a new incarnation of a node whose process has exited, with the same ports and switches.</summary>
    public NodeProcess Restart(NodeProcess node)
    {
        var index = _current.IndexOf(node);
        if (index < 0 || !node.HasExited)
        {
            throw new InvalidOperationException($"{node.Name} is not the latest incarnation of a stopped node.");
        }

        var (dll, arguments) = _launch[node.Node];
        var restarted = NodeProcess.Start(node.Node, node.Incarnation + 1, node.Place, _hosts.Dotnet, dll, arguments, _hosts.RepositoryRoot, node.ClusterPort, node.HttpPort);
        _incarnations.Add(restarted);
        _current[index] = restarted;
        return restarted;
    }

    /// <summary>
    /// One polling round: asks every observer for its view, at most once per <see cref="PollInterval"/>. A node
    /// that does not answer is reported as such; a node whose process has exited fails the spec at once.
    /// </summary>
    public async Task<ClusterSnapshot> ReadAsync(IEnumerable<NodeProcess> observers)
    {
        await _poll.WaitForNextTickAsync();
        var list = observers.ToList();
        if (list.FirstOrDefault(node => node.HasExited) is { } dead)
        {
            var why = dead.LinesContaining("is out of the cluster").LastOrDefault() ?? "no 'out of the cluster' line in its log";
            throw new InvalidOperationException($"{dead.Name} (pid {dead.Pid}) exited unexpectedly with code {dead.ExitCode} ({why.Trim()}); see its log below.");
        }

        var views = await Task.WhenAll(list.Select(ReadOneAsync));
        return new ClusterSnapshot(views);
    }

    /// <summary>Waits until the cluster is settled over <paramref name="workers"/>: in the front's table the shards' homes
    /// are balanced over them (nothing left for a rebalance to move), then every backup copy is whole
    /// (<see cref="WaitForWholeReplicasAsync"/>).</summary>
    public async Task WaitForSettledAsync(IReadOnlyList<NodeProcess> workers, int numberOfShards, TimeSpan deadline)
    {
        var homes = workers.Select(worker => worker.ClusterAddress).ToHashSet();
        await Eventually.Value(
            async () => (await ReadShardsAsync(Front(1))).Table,
            table => table is not null && table.IsBalancedOver(homes, numberOfShards),
            $"the shards' homes balanced over [{string.Join(", ", workers.Select(worker => worker.Name))}]",
            deadline);
        await WaitForWholeReplicasAsync(workers, numberOfShards, deadline);
    }

    /// <summary>Waits until, in the front's table, every one of <paramref name="numberOfShards"/> shards has a home and
    /// backups, and each backup's own <c>/cluster/shards/local</c> says its copy is whole; the same on two polls in a row.
    /// A worker that does not answer yet counts as holding no whole copy.</summary>
    public async Task WaitForWholeReplicasAsync(IReadOnlyList<NodeProcess> workers, int numberOfShards, TimeSpan deadline)
    {
        var streak = 0;
        await Eventually.Value(
            async () =>
            {
                var table = (await ReadShardsAsync(Front(1))).Table;
                var whole = new HashSet<(string Node, int Shard)>();
                foreach (var worker in workers)
                {
                    try
                    {
                        using var document = System.Text.Json.JsonDocument.Parse(await _http.GetStringAsync(new Uri(worker.BaseAddress, "/cluster/shards/local")));
                        foreach (var copy in document.RootElement.GetProperty("backups").EnumerateArray().Where(copy => copy.GetProperty("whole").GetBoolean()))
                        {
                            whole.Add((worker.ClusterAddress, copy.GetProperty("id").GetInt32()));
                        }
                    }
                    catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                    {
                        // Not answering yet: none of its copies counts.
                    }
                }

                var replicated = table is not null && table.Shards.Count == numberOfShards && table.Shards.All(shard =>
                    shard.Home is not null && shard.Backups is { Count: > 0 } backups && backups.All(backup => whole.Contains((backup, shard.Id))));
                streak = replicated ? streak + 1 : 0;
                return streak;
            },
            polls => polls >= 2,
            $"every shard in the front's table with a backup among [{string.Join(", ", workers.Select(worker => worker.Name))}] whose copy is whole",
            deadline);
    }

    /// <summary>The coordinator's cluster address as the front knows it, once it knows one.</summary>
    public async Task<string> CoordinatorAsync(TimeSpan deadline) =>
        (await Eventually.Value(
            async () => (await ReadShardsAsync(Front(1))).Table,
            table => table?.Coordinator is not null,
            "the front to know the coordinator",
            deadline))!.Coordinator!;

    /// <summary>
    /// <paramref name="observer"/>'s <c>GET /cluster/shards</c>: the table, or null with the reason it gave none. Paced
    /// like <see cref="ReadAsync"/>; a node whose process has exited fails the spec at once.
    /// </summary>
    public async Task<(ShardTableView? Table, string? Error)> ReadShardsAsync(NodeProcess observer)
    {
        await _poll.WaitForNextTickAsync();
        if (observer.HasExited)
        {
            throw new InvalidOperationException($"{observer.Name} (pid {observer.Pid}) exited unexpectedly with code {observer.ExitCode}; see its log below.");
        }

        try
        {
            using var response = await _http.GetAsync(new Uri(observer.BaseAddress, "/cluster/shards"));
            var body = await response.Content.ReadAsStringAsync();
            return response.IsSuccessStatusCode ? (ShardTableView.Parse(body), null) : (null, $"{(int)response.StatusCode} {body}");
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return (null, exception.Message);
        }
    }

    /// <summary>
    /// What explains most failures of a spec at a glance, for the top of a failure message: every member marked
    /// unreachable or downed, every stall of a node's thread pool that ASP.NET noticed, in time order (lines start with
    /// their arrival time, HH:mm:ss.fff), and the machine's load.
    /// </summary>
    public string Alerts()
    {
        string[] signs = ["UnreachableMember {", "MemberDowned {", "the heartbeat has been running for"];
        var lines = _incarnations
            .SelectMany(node => signs.SelectMany(node.LinesContaining).Select(line => (node.Name, Line: line.Trim())))
            .OrderBy(entry => entry.Line, StringComparer.Ordinal)
            .Select(entry => $"  {entry.Line[..12]} {entry.Name}: {entry.Line[12..].Trim()}")
            .ToList();
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";
        return $"Machine load average (1, 5, 15 min, runnable/total, last pid): {load}; {Environment.ProcessorCount} cores.\n" +
               (lines.Count == 0 ? "No node logged an unreachable or downed member or a thread-pool stall." : $"Unreachable, downed, stalled:\n{string.Join("\n", lines)}");
    }

    /// <summary>Every incarnation's state and recent output, for a failure message.</summary>
    public string Report(int maxLinesPerNode = 200)
    {
        var text = new StringBuilder();
        foreach (var node in _incarnations)
        {
            text.AppendLine().Append(node.Describe(maxLinesPerNode));
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= KillAll;
        await Task.WhenAll(_incarnations.Select(node => node.DisposeAsync().AsTask()));
        _http.Dispose();
        _poll.Dispose();
    }

    private void KillAll(object? sender, EventArgs e)
    {
        foreach (var node in _incarnations)
        {
            node.KillIfRunning();
        }
    }

    /// <summary>Starts a web node (worker or front, as <paramref name="config"/> says) whose route is its name.</summary>
    private NodeProcess LaunchWeb(string name, string config, int clusterPort, int httpPort)
    {
        var place = _places(name);
        return Launch(name, place, _hosts.WebDll, clusterPort, httpPort,
            ["--config", config, "--hostname", place.Address, "--port", Invariant(clusterPort), "--seeds", _seed, "--urls", $"http://{place.Address}:{httpPort}", "--route", name]);
    }

    private NodeProcess Launch(string name, NodePlace place, string dll, int clusterPort, int httpPort, IReadOnlyList<string> arguments)
    {
        _launch[name] = (dll, arguments);
        var node = NodeProcess.Start(name, 1, place, _hosts.Dotnet, dll, arguments, _hosts.RepositoryRoot, clusterPort, httpPort);
        _incarnations.Add(node);
        _current.Add(node);
        return node;
    }

    private NodeProcess Named(string node) =>
        _current.FirstOrDefault(candidate => candidate.Node == node) ?? throw new InvalidOperationException($"No node named {node} was started.");

    private async Task<(NodeProcess, ClusterView?, string?)> ReadOneAsync(NodeProcess node)
    {
        try
        {
            using var response = await _http.GetAsync(new Uri(node.BaseAddress, "/cluster/members"));
            var body = await response.Content.ReadAsStringAsync();
            return response.IsSuccessStatusCode
                ? (node, ClusterView.Parse(body), null)
                : (node, null, $"{(int)response.StatusCode} {body}");
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return (node, null, exception.Message);
        }
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
