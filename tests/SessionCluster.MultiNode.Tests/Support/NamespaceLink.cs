using System.Diagnostics;
using System.Globalization;

namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>A network namespace joined to the test host by one veth link that a spec can cut and restore: a real
/// network partition between the nodes inside it and those outside, with no packet crossing and no connection
/// refused (as when a cable is pulled).</summary>
/// <remarks>
/// Layout, for a number k taken from the test process's pid (the names carry the pid too, so runs side by side rarely
/// meet, and one that does fails to set up rather than share): the outside nodes bind <see cref="Outside"/>, 10.231.k.1,
/// an address added to the host's loopback interface, which stays up whatever happens to the link (not every kernel
/// has dummy interfaces); the inside ones bind <see cref="Inside"/>, 10.230.k.2, the namespace's end of the veth pair,
/// whose host end, 10.230.k.1, is the namespace's default route. <see cref="CutAsync"/> takes the host end down, which
/// removes the route both ways; <see cref="RestoreAsync"/> brings it up. Nothing routes beyond the host: only addresses
/// this class creates ever receive traffic. Needs root (CAP_NET_ADMIN) and iproute2.
/// </remarks>
internal sealed class NamespaceLink : IAsyncDisposable
{
    private readonly string _hostEnd;
    private readonly string _namespaceEnd;
    private readonly string _hostEndAddress;
    // What this instance made, and so removes: a set-up that failed half-way (a name another run holds) touches nothing else.
    private bool _namespaceAdded;
    private bool _linkAdded;
    private bool _outsideAdded;

    private NamespaceLink(int k, string suffix)
    {
        Namespace = "sc-part-" + suffix;
        _hostEnd = "scph" + suffix;
        _namespaceEnd = "scpn" + suffix;
        Outside = new NodePlace($"10.231.{k}.1");
        Inside = new NodePlace($"10.230.{k}.2", Namespace);
        _hostEndAddress = $"10.230.{k}.1";
    }

    /// <summary>The network namespace's name.</summary>
    public string Namespace { get; }

    /// <summary>Where nodes outside the namespace run: the host's namespace, on an address the inside can reach.</summary>
    public NodePlace Outside { get; }

    /// <summary>Where nodes inside the namespace run.</summary>
    public NodePlace Inside { get; }

    /// <summary>Creates the namespace, the link and the addresses; on any failure removes what it made and throws.</summary>
    public static async Task<NamespaceLink> CreateAsync()
    {
        var pid = Environment.ProcessId;
        var link = new NamespaceLink(1 + pid % 250, (pid % 100_000).ToString(CultureInfo.InvariantCulture));
        try
        {
            await link.SetUpAsync();
            return link;
        }
        catch
        {
            await link.DisposeAsync();
            throw;
        }
    }

    /// <summary>Null when this machine can make the namespace, the link and the addresses (root, iproute2, veth); otherwise
    /// why not. Makes them all once and removes them again, so a spec that runs finds every piece working.</summary>
    public static string? Unavailable()
    {
        try
        {
            var link = CreateAsync().GetAwaiter().GetResult();
            link.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return null;
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            return $"iproute2's `ip` could not be run ({exception.Message}); run `apt-get install iproute2` as root";
        }
        catch (InvalidOperationException exception)
        {
            return exception.Message + " (network namespaces and veth links need root, CAP_NET_ADMIN)";
        }
    }

    /// <summary>Cuts the link: from now on no packet passes between inside and outside.</summary>
    public Task CutAsync() => IpAsync("link", "set", _hostEnd, "down");

    /// <summary>Restores the link.</summary>
    public Task RestoreAsync() => IpAsync("link", "set", _hostEnd, "up");

    public async ValueTask DisposeAsync()
    {
        // The veth pair goes with either end (the namespace's end, with the namespace).
        if (_linkAdded)
        {
            await RunAsync(["link", "del", _hostEnd]);
        }

        if (_outsideAdded)
        {
            await RunAsync(["addr", "del", Outside.Address + "/32", "dev", "lo"]);
        }

        if (_namespaceAdded)
        {
            await RunAsync(["netns", "del", Namespace]);
        }
    }

    private async Task SetUpAsync()
    {
        await IpAsync("netns", "add", Namespace);
        _namespaceAdded = true;
        await IpAsync("link", "add", _hostEnd, "type", "veth", "peer", "name", _namespaceEnd);
        _linkAdded = true;
        await IpAsync("link", "set", _namespaceEnd, "netns", Namespace);
        await IpAsync("addr", "add", _hostEndAddress + "/30", "dev", _hostEnd);
        await IpAsync("link", "set", _hostEnd, "up");
        await IpAsync("addr", "add", Outside.Address + "/32", "dev", "lo");
        _outsideAdded = true;
        await IpAsync("-n", Namespace, "link", "set", "lo", "up");
        await IpAsync("-n", Namespace, "addr", "add", Inside.Address + "/30", "dev", _namespaceEnd);
        await IpAsync("-n", Namespace, "link", "set", _namespaceEnd, "up");
        await IpAsync("-n", Namespace, "route", "add", "default", "via", _hostEndAddress);
    }

    private static async Task IpAsync(params string[] arguments)
    {
        var (code, output) = await RunAsync(arguments);
        if (code != 0)
        {
            throw new InvalidOperationException($"`ip {string.Join(' ', arguments)}` exited with {code}: {output.Trim()}");
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(IReadOnlyList<string> arguments)
    {
        var startInfo = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not run ip.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }
}
