using System.Diagnostics;
using System.Text.Json;
using SessionCluster.MultiNode.Tests.Support;
using SessionCluster.TestKit;
using Xunit.Abstractions;

namespace SessionCluster.MultiNode.Tests;

/// <summary>
/// The shipped external-balancer configurations (<c>deploy/</c>: nginx, HAProxy, Apache httpd with mod_proxy_balancer)
/// in front of two real workers on 127.0.0.1: new sessions are spread round-robin, a session's requests stick to the
/// worker its cookie's <c>.route</c> names, and after that worker gets <c>kill -9</c> the very next request through the
/// balancer lands on the survivor with the session intact, and the cookie's route is rewritten to the survivor so the
/// balancer sticks there from then on.
/// </summary>
[Trait("Category", "MultiNode")]
public sealed class BalancerSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private const int NumberOfShards = 100;
    private const int Sessions = 16;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    // No cookie container: each BalancedSession sends its own cookie and sees every Set-Cookie.
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseCookies = false }) { Timeout = TimeSpan.FromSeconds(10) };
    private LocalCluster? _cluster;
    private BalancerProcess? _balancer;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_balancer is not null)
        {
            await _balancer.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    [BalancerFact("nginx")]
    public Task Nginx_RoundRobinThenStickyByRoute_FailsOverToTheSurvivorAndTheRouteFollows() => Run(BalancerKind.Nginx);

    [BalancerFact("haproxy")]
    public Task HAProxy_RoundRobinThenStickyByRoute_FailsOverToTheSurvivorAndTheRouteFollows() => Run(BalancerKind.HAProxy);

    [BalancerFact("apache2", requiredUnderCi: false)]
    public Task Apache_RoundRobinThenStickyByRoute_FailsOverToTheSurvivorAndTheRouteFollows() => Run(BalancerKind.Apache);

    private async Task Run(BalancerKind kind)
    {
        try
        {
            await RoundRobinStickyAndFailover(kind);
        }
        catch
        {
            if (_balancer is not null)
            {
                output.WriteLine(_balancer.Report());
            }

            if (_cluster is not null)
            {
                output.WriteLine(_cluster.Report());
            }

            throw;
        }
    }

    private async Task RoundRobinStickyAndFailover(BalancerKind kind)
    {
        // The front only observes (shard table, coordinator); the balancer sends traffic to the workers alone.
        _cluster = await LocalCluster.StartAsync(workers: 2, fronts: 1, oneByOne: true);
        await _cluster.LaunchOneByOneAsync(Deadline);
        var workers = _cluster.Workers.ToList();

        // Homes evened out first: with every home still on the first worker (the second just joined, its backups already
        // whole) every new session would live there, and the failover below would have no session to move.
        await _cluster.WaitForSettledAsync(workers, NumberOfShards, Deadline);
        _balancer = await BalancerProcess.StartAsync(kind, NodeHosts.Locate().RepositoryRoot, workers, Deadline);
        _http.BaseAddress = _balancer.BaseAddress;

        // Round-robin: sessions without a cookie start on every worker.
        var sessions = new List<BalancedSession>();
        var startedOn = new HashSet<string>();
        for (var i = 0; i < Sessions; i++)
        {
            var session = new BalancedSession(_http);
            var (status, body, _) = await session.SendAsync(HttpMethod.Put, "/session/attributes/cart", $"{{\"items\":[{i}]}}");
            Assert.True(status == 200, $"creating session {i} through {kind.Name}: {status}");
            startedOn.Add(body!.Value.GetProperty("servedBy").GetString()!);
            Assert.Equal(200, (await session.SendAsync(HttpMethod.Post, "/session/attributes/visits/increment")).Status);
            sessions.Add(session);
        }

        Assert.True(startedOn.SetEquals(workers.Select(worker => worker.Node)), $"{kind.Name} spread new sessions over [{string.Join(", ", startedOn)}], not every worker");

        // Sticky: every request of a session goes to the worker its route names (its home: served with no hop).
        foreach (var session in sessions)
        {
            for (var i = 0; i < 3; i++)
            {
                var route = session.Route;
                var (status, body, _) = await session.SendAsync(HttpMethod.Get, "/session");
                Assert.Equal(200, status);
                var servedBy = body!.Value.GetProperty("servedBy").GetString();
                Assert.True(route == servedBy, $"{kind.Name}: request {i + 1} of session {session.Id} with route {route} was served by {servedBy}: {body}");
            }
        }

        var coordinator = await _cluster.CoordinatorAsync(Deadline);
        var victim = workers.First(worker => worker.ClusterAddress != coordinator);
        var survivor = workers.Single(worker => worker != victim);
        var orphans = sessions.Where(session => session.Route == victim.Node).ToList();
        Assert.True(orphans.Count > 0, $"no session lives on {victim.Name}: routes {string.Join(", ", sessions.Select(s => s.Route))}");

        var killed = Stopwatch.GetTimestamp();
        victim.Kill();
        // Gone for good (its sockets closed by the kernel) before the next request, as a dead host is.
        await victim.WaitForExitAsync(Deadline);
        output.WriteLine($"{kind.Name}: killed {victim.Name}; {orphans.Count} of {Sessions} sessions were routed to it");

        // The next request of each orphan, still carrying the dead route, is served by the survivor, session intact.
        foreach (var orphan in orphans)
        {
            var index = sessions.IndexOf(orphan);
            var (status, body, _) = await orphan.SendAsync(HttpMethod.Get, "/session");
            Assert.True(status == 200, $"{kind.Name}: first request of session {orphan.Id} after kill -9 of {victim.Name}: {status} {body}");
            Assert.Equal(survivor.Node, body!.Value.GetProperty("servedBy").GetString());
            AssertIntact(body.Value, index, visits: 1);
        }

        output.WriteLine($"{kind.Name}: every orphan served by {survivor.Name} {Stopwatch.GetElapsedTime(killed).TotalMilliseconds:0} ms after the kill");

        // Its route is rewritten to the survivor (at once, or once the backup is promoted), and a write then succeeds there.
        foreach (var orphan in orphans)
        {
            var index = sessions.IndexOf(orphan);
            await Eventually.Value(
                async () => (await orphan.SendAsync(HttpMethod.Get, "/session")).Status == 200 ? orphan.Route : $"(failed; route {orphan.Route})",
                route => route == survivor.Node,
                $"{kind.Name}: session {orphan.Id}'s cookie route rewritten from {victim.Node} to {survivor.Node}",
                Deadline);
            var (status, body, _) = await orphan.SendAsync(HttpMethod.Post, "/session/attributes/visits/increment");
            Assert.True(status == 200, $"{kind.Name}: increment of {orphan.Id} on {survivor.Name}: {status} {body}");
            Assert.Equal(2, body!.Value.GetProperty("value").GetInt64());
            var (readStatus, read, _) = await orphan.SendAsync(HttpMethod.Get, "/session");
            Assert.Equal(200, readStatus);
            Assert.Equal(survivor.Node, read!.Value.GetProperty("servedBy").GetString());
            AssertIntact(read.Value, index, visits: 2);
        }

        // The sessions that lived on the survivor never noticed.
        foreach (var session in sessions.Except(orphans))
        {
            var (status, body, _) = await session.SendAsync(HttpMethod.Get, "/session");
            Assert.Equal(200, status);
            Assert.Equal(survivor.Node, body!.Value.GetProperty("servedBy").GetString());
            AssertIntact(body.Value, sessions.IndexOf(session), visits: 1);
        }
    }

    private static void AssertIntact(JsonElement session, int index, long visits)
    {
        var attributes = session.GetProperty("attributes");
        Assert.Equal($"{{\"items\":[{index}]}}", attributes.GetProperty("cart").GetRawText());
        Assert.Equal(visits, attributes.GetProperty("visits").GetInt64());
    }
}
