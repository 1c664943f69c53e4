using System.Reflection;

namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>Where the host binaries, the <c>dotnet</c> muxer and the repository's <c>hocon/</c> files are.</summary>
/// <remarks>
/// The project file references the two host projects without compiling against them, so every build of this test
/// project builds them first, and records the path of each built host dll in this assembly
/// (<c>[AssemblyMetadata("NodeHost:SessionCluster.Web", "/…/SessionCluster.Web.dll")]</c>). That path is exact for
/// any layout: <c>src/*/bin/Debug/net10.0/</c> in a plain <c>dotnet test SessionCluster.sln</c>, or
/// <c>&lt;artifacts&gt;/bin/SessionCluster.Web/debug/</c> under <c>--artifacts-path</c>. If the recorded file is gone
/// (the assembly was copied elsewhere), the conventional <c>src/&lt;name&gt;/bin/&lt;Configuration&gt;/net10.0/</c> is tried.
/// </remarks>
internal sealed class NodeHosts
{
    private NodeHosts(string dotnet, string webDll, string lighthouseDll, string repositoryRoot)
    {
        Dotnet = dotnet;
        WebDll = webDll;
        LighthouseDll = lighthouseDll;
        RepositoryRoot = repositoryRoot;
    }

    /// <summary>The <c>dotnet</c> executable that runs the hosts.</summary>
    public string Dotnet { get; }

    public string WebDll { get; }

    public string LighthouseDll { get; }

    /// <summary>The repository root: the nodes' working directory, so <c>hocon/…</c> resolves as in the README.</summary>
    public string RepositoryRoot { get; }

    public string WorkerConf => Path.Combine(RepositoryRoot, "hocon", "worker.conf");

    public string LighthouseConf => Path.Combine(RepositoryRoot, "hocon", "lighthouse.conf");

    public string FrontConf => Path.Combine(RepositoryRoot, "hocon", "front.conf");

    /// <summary>Finds everything or throws one message listing every place it looked.</summary>
    public static NodeHosts Locate()
    {
        var assembly = typeof(NodeHosts).Assembly;
        var metadata = assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value);
        var root = metadata.GetValueOrDefault("RepositoryRoot");
        if (root is null || !File.Exists(Path.Combine(root, "hocon", "worker.conf")))
        {
            throw new InvalidOperationException($"The repository root recorded at build time ('{root}') has no hocon/worker.conf.");
        }

        var configuration = assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        return new NodeHosts(
            LocateDotnet(),
            LocateHost("SessionCluster.Web", metadata, root, configuration),
            LocateHost("SessionCluster.Lighthouse", metadata, root, configuration),
            root);
    }

    private static string LocateHost(string name, Dictionary<string, string?> metadata, string root, string configuration)
    {
        var candidates = new List<string>();
        if (metadata.GetValueOrDefault("NodeHost:" + name) is { } recorded)
        {
            candidates.Add(recorded);
        }

        candidates.Add(Path.Combine(root, "src", name, "bin", configuration, "net10.0", name + ".dll"));
        foreach (var candidate in candidates)
        {
            // A host dll runs under `dotnet` only beside its runtimeconfig.json.
            if (File.Exists(candidate) && File.Exists(Path.ChangeExtension(candidate, ".runtimeconfig.json")))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{name}.dll (with its runtimeconfig.json) is not built; looked at: {string.Join(", ", candidates)}. Build the solution first.");
    }

    /// <summary>The muxer running this test host, else the SDK's <c>DOTNET_HOST_PATH</c>, else <c>dotnet</c> on the PATH.</summary>
    private static string LocateDotnet()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        var hostPath = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(hostPath) && File.Exists(hostPath) ? hostPath : "dotnet";
    }
}
