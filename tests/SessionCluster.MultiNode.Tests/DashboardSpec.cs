using System.Diagnostics;
using Microsoft.Playwright;
using SessionCluster.MultiNode.Tests.Support;
using SessionCluster.TestKit;
using Xunit.Abstractions;

namespace SessionCluster.MultiNode.Tests;

/// <summary>
/// The dashboard in headless Chromium against real processes: a Lighthouse, two workers and a front. The page on the
/// front shows every member Up and each worker's row of shards; under load a third worker joins, and the page's
/// picture changes with it: the new worker's row gets shards, the others' rows lose some, and the page counts the moves.
/// At the end the page is photographed (into the test output directory, and to <c>SESSIONCLUSTER_DASHBOARD_SCREENSHOT</c>
/// if set, relative to the repository root: that is how <c>docs/dashboard.png</c> is made), and every node's
/// <c>/metrics</c> must parse and agree with what happened.
/// </summary>
/// <remarks>
/// Everything is read from the page's DOM (what a user sees), polled with a deadline. The page must never throw a
/// script error or trip its Content-Security-Policy. Needs <c>/usr/bin/chromium</c> (<c>.ci/run</c> installs it in CI).
/// </remarks>
[Trait("Category", "MultiNode")]
public sealed class DashboardSpec(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary><c>session-cluster.sharding.number-of-shards</c> in hocon/reference.conf.</summary>
    private const int NumberOfShards = 100;

    private const int SessionCount = 2000;

    private const int InFlight = 16;

    /// <summary>A light load: enough for requests/s and moving sessions, not enough to starve the nodes on 2 cores.</summary>
    private const int LoadLoops = 4;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly List<string> _pageErrors = [];
    private LocalCluster? _cluster;
    private HeadlessChromium? _chromium;
    private SessionContractClient? _client;
    private SessionTraffic? _traffic;

    private LocalCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster has not started.");

    public async Task InitializeAsync()
    {
        _chromium = await HeadlessChromium.LaunchAsync();
        _cluster = await LocalCluster.StartAsync(workers: 2, fronts: 1, oneByOne: true);
    }

    public async Task DisposeAsync()
    {
        if (_traffic is not null)
        {
            await _traffic.DisposeAsync();
        }

        _client?.Dispose();
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    [ChromiumFact]
    public async Task DashboardOnTheFront_ShowsEveryMemberAndTheShardPictureChangesWhenAWorkerJoins()
    {
        IPage? page = null;
        DashboardView? before = null;
        var originals = new List<NodeProcess>();

        await Phase("1 form: the Lighthouse, 2 workers and a front join one by one; sessions are created through the front", async () =>
        {
            await Cluster.LaunchOneByOneAsync(Deadline);
            originals.AddRange(Cluster.Workers);
            var everyone = Cluster.Nodes.ToList();
            await Eventually.Value(
                () => Cluster.ReadAsync(everyone),
                snapshot => snapshot.AllSeeExactlyUp([.. everyone.Select(node => node.ClusterAddress)]),
                "every node to see every other Up and reachable, converged",
                Deadline);
            _client = new SessionContractClient(Cluster.Front(1), maxConnections: InFlight);
            var (fleet, failures) = await SessionFleet.CreateAsync(_client, SessionCount, InFlight);
            Assert.True(failures.Count == 0, $"{failures.Count} creations failed; the first: {string.Join("\n  ", failures.Take(5))}");
            _traffic = SessionTraffic.Start(_client, fleet, LoadLoops, seed: 6);
        });

        await Phase("2 open the dashboard on the front: every member Up with its route name, the 100 shards in the two workers' rows", async () =>
        {
            page = await OpenDashboardAsync(Cluster.Front(1));
            before = await PageShows(
                page,
                view => Cluster.Nodes.All(node => view.MemberStatus.GetValueOrDefault(node.ClusterAddress) == "Up") &&
                        // Each web node was started with --route set to its name; the Lighthouse has none.
                        Cluster.Nodes.All(node => view.MemberRoute.GetValueOrDefault(node.ClusterAddress) == (node == Cluster.Lighthouse ? "" : node.Node)) &&
                        originals.All(worker => view.HomesOf(worker.ClusterAddress) > 0) &&
                        originals.Sum(worker => view.HomesOf(worker.ClusterAddress)) == NumberOfShards &&
                        // Balanced, so that the joiner of phase 3 takes shards from both (the second worker may have
                        // joined a moment ago, its share still arriving).
                        originals.Max(worker => view.HomesOf(worker.ClusterAddress)) - originals.Min(worker => view.HomesOf(worker.ClusterAddress)) <= 1 &&
                        view.Status.StartsWith("live", StringComparison.Ordinal),
                $"all {Cluster.Nodes.Count} members Up and {NumberOfShards} shards evenly over [{string.Join(", ", originals.Select(w => w.ClusterAddress))}]");
            output.WriteLine($"  before the join: {before}");

            // Any node serves the page: the Lighthouse shows the members and says it keeps no shard table.
            var lighthouse = await OpenDashboardAsync(Cluster.Lighthouse);
            await PageShows(
                lighthouse,
                view => Cluster.Nodes.All(node => view.MemberStatus.GetValueOrDefault(node.ClusterAddress) == "Up") && view.Rows.Count == 0,
                "on the Lighthouse, every member Up and no shard rows");
            Assert.Contains("keeps no shard table", await lighthouse.TextContentAsync("#shards-note"), StringComparison.Ordinal);
            await lighthouse.CloseAsync();
        });

        NodeProcess? joiner = null;
        await Phase("3 a third worker joins under load: its row gets shards, the others' rows give some up, moves are counted", async () =>
        {
            joiner = Cluster.AddWorker();
            var after = await PageShows(
                page!,
                view => view.MemberStatus.GetValueOrDefault(joiner.ClusterAddress) == "Up" &&
                        view.HomesOf(joiner.ClusterAddress) > 0 &&
                        originals.All(worker => view.HomesOf(worker.ClusterAddress) < before!.HomesOf(worker.ClusterAddress)) &&
                        view.Moves != "0",
                $"{joiner.Name} ({joiner.ClusterAddress}) Up with shards in its row, taken from the other two, and the moves counted");
            output.WriteLine($"  after the join: {after}");
        });

        await Phase("4 settled under load: a third of the shards each; photograph the page", async () =>
        {
            var workers = Cluster.Workers.Select(worker => worker.ClusterAddress).ToList();
            var settled = await PageShows(
                page!,
                view => workers.All(worker => view.HomesOf(worker) >= NumberOfShards / workers.Count) &&
                        workers.Sum(view.HomesOf) == NumberOfShards &&
                        view.Rows.Values.Sum(row => row.Backups) == NumberOfShards &&
                        view.Sessions == SessionCount.ToString("N0", System.Globalization.CultureInfo.GetCultureInfo("en-US")),
                $"the shards balanced over [{string.Join(", ", workers)}], each with a backup, and {SessionCount} sessions");
            output.WriteLine($"  settled: {settled}");
            await Eventually.True(
                async () => await page!.TextContentAsync("#requests-rate") is { } rate && rate != "–" && rate != "0",
                "the page to show a request rate from the load");
            await SaveScreenshotAsync(page!);
        });

        await Phase("5 every node's /metrics parses and agrees: 5 members Up, the joiner's shards came by hand-off, writes waited for backups", async () =>
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var scrapes = new Dictionary<NodeProcess, PrometheusExposition>();
            foreach (var node in Cluster.Nodes)
            {
                using var response = await http.GetAsync(new Uri(node.BaseAddress, "/metrics"));
                Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
                scrapes[node] = PrometheusExposition.Parse(await response.Content.ReadAsStringAsync());
                Assert.Equal(Cluster.Nodes.Count, scrapes[node].Value("sessioncluster_members_up"));
                Assert.Equal(0, scrapes[node].Value("sessioncluster_members_unreachable"));
                Assert.True(scrapes[node].Value("sessioncluster_gossip_messages_total", ("direction", "received")) > 0, $"{node.Name} received no gossip");
                Assert.True(scrapes[node].Value("sessioncluster_remote_messages_received_total") > 0, $"{node.Name} counted no cluster message received");
                Assert.True(scrapes[node].Value("sessioncluster_remote_messages_sent_total") > 0, $"{node.Name} counted no cluster message sent");
            }

            Assert.Null(scrapes[Cluster.Lighthouse].Find("sessioncluster_sessions_hosted"));
            var joinerShards = scrapes[joiner!].Value("sessioncluster_shards_hosted");
            Assert.True(joinerShards > 0 && scrapes[joiner!].Value("sessioncluster_shard_handoffs_total") >= joinerShards,
                $"{joiner!.Name} hosts {joinerShards} shards, each arrived by hand-off, yet counted {scrapes[joiner!].Find("sessioncluster_shard_handoffs_total")} hand-offs");
            Assert.Equal(SessionCount, Cluster.Workers.Sum(worker => scrapes[worker].Value("sessioncluster_sessions_hosted")));
            Assert.True(Cluster.Workers.Sum(worker => scrapes[worker].Find("sessioncluster_replication_ack_duration_seconds_count") ?? 0) > 0,
                "no worker measured a reply waiting for its backups, though every increment of the load does (write-consistency = one)");
            Assert.True(scrapes[Cluster.Front(1)].Value("sessioncluster_http_requests_total", ("route", "/session/attributes/{name}/increment"), ("method", "POST"), ("status", "2xx")) > 0);
        });

        await Phase("6 the page's own node dies: the page says it cannot reach it and keeps the last picture", async () =>
        {
            await _traffic!.StopAsync();

            // The coordinator evens out the backups once the homes have settled; wait for that, so that the picture the
            // page keeps is the one read here and not one a backup move redraws a moment later.
            var last = await PageShows(
                page!,
                view => view.Rows.Count == Cluster.Workers.Count &&
                        view.Rows.Values.Sum(row => row.Backups) == NumberOfShards &&
                        view.Rows.Values.Max(row => row.Homes) - view.Rows.Values.Min(row => row.Homes) <= 1 &&
                        view.Rows.Values.Max(row => row.Backups) - view.Rows.Values.Min(row => row.Backups) <= 1,
                "homes and backups evened out over the workers, one backup per shard");
            Cluster.Front(1).Kill();
            var view = await PageShows(
                page!,
                view => view.Status.Contains("this node does not answer", StringComparison.Ordinal) &&
                        view.Status.Contains("showing the picture from", StringComparison.Ordinal) &&
                        view.Rows.Count == last.Rows.Count && view.Rows.All(row => last.Rows.GetValueOrDefault(row.Key) == row.Value) &&
                        view.MemberStatus.Count == last.MemberStatus.Count,
                "an error naming the unreachable node, above the same rows and members as before");
            output.WriteLine($"  with its node gone: {view}");
        });

        Assert.True(_pageErrors.Count == 0, $"The page reported errors:\n  {string.Join("\n  ", _pageErrors)}");
    }

    private async Task<IPage> OpenDashboardAsync(NodeProcess node)
    {
        var page = await _chromium!.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        page.PageError += (_, error) => _pageErrors.Add($"script error: {error}");
        page.Console += (_, message) =>
        {
            // Failed fetches (a 503 while the coordinator moves) are logged by the browser and shown by the page;
            // a policy violation or an exception is a bug.
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                _pageErrors.Add($"console: {message.Text}");
            }
        };
        var response = await page.GotoAsync(new Uri(node.BaseAddress, "/dashboard").ToString());
        Assert.True(response is { Ok: true }, $"GET /dashboard on {node.Name} answered {response?.Status}");
        return page;
    }

    private static async Task<DashboardView> PageShows(IPage page, Func<DashboardView, bool> accept, string what) =>
        await Eventually.Value(() => DashboardView.ReadAsync(page), accept, $"the dashboard to show {what}", Deadline);

    private async Task SaveScreenshotAsync(IPage page)
    {
        var paths = new List<string> { Path.Combine(AppContext.BaseDirectory, "dashboard.png") };
        if (Environment.GetEnvironmentVariable("SESSIONCLUSTER_DASHBOARD_SCREENSHOT") is { Length: > 0 } requested)
        {
            // Relative to the repository root, as the README's command line writes it (tests run in their output directory).
            paths.Add(Path.GetFullPath(requested, NodeHosts.Locate().RepositoryRoot));
        }

        var image = await page.ScreenshotAsync(new PageScreenshotOptions { FullPage = true });
        foreach (var path in paths)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, image);
            output.WriteLine($"  screenshot: {path}");
        }
    }

    /// <summary>Runs one phase; on failure, throws with the phase's name, the load and every node's log.</summary>
    private async Task Phase(string name, Func<Task> body)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await body();
        }
        catch (Exception exception)
        {
            var load = _traffic is null ? "" : $"\n\nLoad: {_traffic.Summary()}";
            throw new PhaseFailedException(
                $"Phase '{name}' failed after {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s: {exception.Message}{load}\n\n{Cluster.Alerts()}\n\nNode logs:{Cluster.Report()}",
                exception);
        }

        output.WriteLine($"{name}: {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
    }
}
