using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SessionCluster.TestKit;

namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>An external balancer running in the foreground on 127.0.0.1 with the repository's example configuration,
/// its ports, routes and run directory swapped for a test's; output captured for the failure report.</summary>
/// <remarks>
/// The example files are written for the README's cluster (workers <c>w1</c> on 5001 and <c>w2</c> on 5002, the
/// balancer on 8080, files under <c>/tmp/sessioncluster-lb</c>); rendering replaces exactly those tokens, so what runs
/// here is the shipped file and a change to it is tested.
/// </remarks>
internal sealed partial class BalancerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly string _runDirectory;

    private BalancerProcess(BalancerKind kind, Process process, string runDirectory, int port, string config)
    {
        Kind = kind;
        _process = process;
        _runDirectory = runDirectory;
        Port = port;
        Config = config;
    }

    public BalancerKind Kind { get; }

    public int Port { get; }

    /// <summary>The configuration it runs, as rendered.</summary>
    public string Config { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    /// <summary>Renders the example configuration for <paramref name="workers"/> (route = node name, in the order of
    /// <c>w1</c>, <c>w2</c>), starts the balancer and waits until it forwards <c>/health/live</c>.</summary>
    public static async Task<BalancerProcess> StartAsync(BalancerKind kind, string repositoryRoot, IReadOnlyList<NodeProcess> workers, TimeSpan deadline)
    {
        if (!kind.IsInstalled)
        {
            throw new InvalidOperationException($"{kind.Name} is not installed ({kind.Executable} is missing): apt-get install {kind.Package}.");
        }

        var runDirectory = Directory.CreateTempSubdirectory("sessioncluster-lb-").FullName;
        // Apache's and nginx's workers run as unprivileged users and must reach their run files.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(runDirectory, (UnixFileMode)0b111_111_111);
        }
        var port = FreePorts.Take(1)[0];
        var config = Render(File.ReadAllText(Path.Combine(repositoryRoot, kind.ExampleConfig)), runDirectory, port, workers);
        var configPath = Path.Combine(runDirectory, Path.GetFileName(kind.ExampleConfig));
        File.WriteAllText(configPath, config);

        var start = new ProcessStartInfo(kind.Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = runDirectory };
        foreach (var argument in kind.Arguments(configPath))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {kind.Executable}.");
        var balancer = new BalancerProcess(kind, process, runDirectory, port, config);
        process.OutputDataReceived += (_, line) => balancer.Append(line.Data);
        process.ErrorDataReceived += (_, line) => balancer.Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.True(
            async () =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"{kind.Name} exited with {process.ExitCode} at start:\n{balancer.Report()}");
                }

                try
                {
                    return (await http.GetAsync(new Uri(balancer.BaseAddress, "/health/live"))).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            $"{kind.Name} on 127.0.0.1:{port} to forward /health/live to a worker",
            deadline);
        return balancer;
    }

    /// <summary>The example configuration with the README's ports, routes and run directory replaced.</summary>
    public static string Render(string example, string runDirectory, int port, IReadOnlyList<NodeProcess> workers)
    {
        var text = example.Replace("/tmp/sessioncluster-lb", runDirectory, StringComparison.Ordinal)
            .Replace("127.0.0.1:8080", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", StringComparison.Ordinal);
        for (var i = 0; i < workers.Count; i++)
        {
            var number = (i + 1).ToString(CultureInfo.InvariantCulture);
            text = text.Replace($"127.0.0.1:500{number}", $"127.0.0.1:{workers[i].HttpPort.ToString(CultureInfo.InvariantCulture)}", StringComparison.Ordinal);
            text = Regex.Replace(text, $"(?<![A-Za-z0-9_-])w{number}(?![A-Za-z0-9_-])", workers[i].Node);
        }

        return text;
    }

    /// <summary>What it printed, and the error log in its run directory.</summary>
    public string Report()
    {
        var report = new StringBuilder($"--- {Kind.Name} (pid {_process.Id}) output:\n");
        lock (_log)
        {
            report.Append(_log);
        }

        foreach (var file in Directory.EnumerateFiles(_runDirectory, "*error*.log"))
        {
            report.Append(CultureInfo.InvariantCulture, $"--- {file}:\n{File.ReadAllText(file)}\n");
        }

        return report.Append(CultureInfo.InvariantCulture, $"--- config:\n{Config}\n").ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_runDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A worker still writing its log; the directory is in the temp folder.
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
