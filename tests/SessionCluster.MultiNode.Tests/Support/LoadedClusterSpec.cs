using Xunit;

namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>The frame of a spec that puts a session load on a Lighthouse, three workers and a front: the cluster
/// (its nodes started one at a time), the client that creates, loads and checks sessions through the front, the load,
/// and their teardown, the load first so that no loop is left sending to nodes being killed.</summary>
public abstract class LoadedClusterSpec : IAsyncLifetime
{
    private LocalCluster? _cluster;
    private SessionContractClient? _frontClient;

    private protected LocalCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster has not started.");

    /// <summary>The client through the front, once <see cref="ConnectThroughFront"/> made it.</summary>
    private protected SessionContractClient FrontClient => _frontClient ?? throw new InvalidOperationException("No client through the front yet.");

    /// <summary>The load under way, if any; stopped and disposed with the spec.</summary>
    private protected SessionTraffic? Traffic { get; set; }

    /// <summary>Makes <see cref="FrontClient"/>: at most <paramref name="maxConnections"/> connections to the first front.</summary>
    private protected SessionContractClient ConnectThroughFront(int maxConnections) =>
        _frontClient = new SessionContractClient(Cluster.Front(1), maxConnections);

    public virtual async Task InitializeAsync() => _cluster = await StartClusterAsync();

    /// <summary>The cluster of the spec, its nodes not yet launched (<see cref="LocalCluster.LaunchOneByOneAsync"/>): by
    /// default all on 127.0.0.1.</summary>
    private protected virtual Task<LocalCluster> StartClusterAsync() => LocalCluster.StartAsync(workers: 3, fronts: 1, oneByOne: true);

    /// <summary>
    /// Lets <paramref name="traffic"/> run one more second on the cluster as it now is, stops it, then requires that no
    /// request failed <paramref name="during"/>, that the load acknowledged increments and writes, and that every session
    /// of <paramref name="fleet"/> holds exactly its acknowledged increments and last written values.
    /// </summary>
    private protected async Task StopLoadAndVerifySessionsAsync(SessionTraffic traffic, SessionFleet fleet, int inFlight, string during, Action<string> log)
    {
        // Load duration, not a wait for a condition: requests on the cluster as the last change left it.
        await Task.Delay(TimeSpan.FromSeconds(1));
        await traffic.StopAsync();
        log($"load: {traffic.Summary()}");
        var discrepancies = await fleet.VerifySessionsAsync(FrontClient, SessionTraffic.Counter, inFlight);
        var attributes = fleet.Sessions.Sum(session => session.Written.Count);
        log($"verified {fleet.Sessions.Count} sessions ({attributes} written attributes): {discrepancies.Count} discrepancies");

        Assert.True(traffic.Failed == 0, $"Requests failed {during}: {traffic.Summary()}");
        Assert.True(traffic.Increments > 0 && traffic.Writes > 0, $"The load acknowledged no increment or no write: {traffic.Summary()}");
        Assert.True(discrepancies.Count == 0, $"{discrepancies.Count} sessions lost writes:\n  {string.Join("\n  ", discrepancies.Take(20))}");
    }

    public virtual async Task DisposeAsync()
    {
        if (Traffic is not null)
        {
            await Traffic.DisposeAsync();
        }

        _frontClient?.Dispose();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
