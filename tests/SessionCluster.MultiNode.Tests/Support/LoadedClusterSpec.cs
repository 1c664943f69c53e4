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
