using System.Globalization;
using System.Reflection;
using SessionCluster.TestKit;

namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>The ShoppingCart sample running as N clustered nodes on 127.0.0.1: the first seeds the cluster, the others
/// join it, all share a secret (so each reads the others' session cookies); configured only through the app's own
/// configuration (<c>--session-cluster:…</c> switches), as a user of <c>builder.AddSessionCluster()</c> would.</summary>
internal sealed class CartNodes : IAsyncDisposable
{
    private readonly List<NodeProcess> _nodes = [];

    private CartNodes()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => _nodes.ForEach(node => node.KillIfRunning());
    }

    public IReadOnlyList<NodeProcess> Nodes => _nodes;

    /// <summary>Starts <paramref name="count"/> nodes and waits until each answers HTTP.</summary>
    public static async Task<CartNodes> StartAsync(int count, TimeSpan deadline)
    {
        var hosts = NodeHosts.Locate();
        var dll = typeof(CartNodes).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(attribute => attribute.Key == "NodeHost:ShoppingCart")?.Value
            ?? throw new InvalidOperationException("The ShoppingCart sample's path was not recorded at build time.");
        var ports = FreePorts.Take(2 * count);
        var seed = $"127.0.0.1:{Invariant(ports[0])}";
        var nodes = new CartNodes();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var (clusterPort, httpPort) = (ports[i], ports[count + i]);
                nodes._nodes.Add(NodeProcess.Start(
                    $"cart-{Invariant(i + 1)}", 1, hosts.Dotnet, dll,
                    [
                        "--urls", $"http://127.0.0.1:{Invariant(httpPort)}",
                        $"--session-cluster:remote:port={Invariant(clusterPort)}",
                        $"--session-cluster:cluster:seed-nodes={seed}",
                        "--session-cluster:remote:secret=cart-spec-secret-6f1d",
                    ],
                    hosts.RepositoryRoot, clusterPort, httpPort));
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            foreach (var node in nodes._nodes)
            {
                await Eventually.True(
                    async () =>
                    {
                        if (node.HasExited)
                        {
                            throw new InvalidOperationException($"{node.Name} exited with {node.ExitCode}:\n{nodes.Report()}");
                        }

                        try
                        {
                            return (await http.GetAsync(node.BaseAddress)).IsSuccessStatusCode;
                        }
                        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                        {
                            return false;
                        }
                    },
                    $"{node.Name} to answer GET / on {node.BaseAddress}",
                    deadline);
            }

            return nodes;
        }
        catch
        {
            await nodes.DisposeAsync();
            throw;
        }
    }

    public string Report() => string.Join("\n", _nodes.Select(node => node.Describe(200)));

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
