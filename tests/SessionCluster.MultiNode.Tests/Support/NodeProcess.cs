using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>One incarnation of a node host running as its own process, with its stdout and stderr captured.</summary>
/// <remarks>
/// Every output line is kept in memory with the time it arrived, for <see cref="LogContains"/> and for the failure
/// report. Disposal kills the process (and anything it started) if it still runs and waits for it to be gone: a spec
/// never leaves a node behind.
/// </remarks>
internal sealed class NodeProcess : IAsyncDisposable
{
    private static readonly TimeSpan DisposeDeadline = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly List<string> _log = [];

    private NodeProcess(string node, int incarnation, NodePlace place, int clusterPort, int httpPort, Process process, string commandLine)
    {
        Node = node;
        Incarnation = incarnation;
        Place = place;
        ClusterPort = clusterPort;
        HttpPort = httpPort;
        _process = process;
        CommandLine = commandLine;
        Pid = process.Id;
    }

    /// <summary>The node this process is an incarnation of, e.g. <c>worker-2</c>.</summary>
    /// <summary>The management API token every node started by a spec has.</summary>
    public const string ManagementToken = "multinode-spec-management-token";

    /// <summary>The environment variable the example node files take the token from.</summary>
    public const string ManagementTokenVariable = "SESSION_CLUSTER_MANAGEMENT_TOKEN";

    public string Node { get; }

    /// <summary>1 for the first process of <see cref="Node"/>, then 2, 3... for each restart.</summary>
    public int Incarnation { get; }

    /// <summary>The node with its incarnation, e.g. <c>worker-2 (incarnation 2)</c>.</summary>
    public string Name => Incarnation == 1 ? Node : $"{Node} (incarnation {Incarnation})";

    /// <summary>The address the node binds and the network namespace it runs in.</summary>
    public NodePlace Place { get; }

    public int ClusterPort { get; }

    public int HttpPort { get; }

    /// <summary>The cluster address as <c>GET /cluster/members</c> writes it.</summary>
    public string ClusterAddress => $"{Place.Address}:{ClusterPort}";

    public Uri BaseAddress => new($"http://{Place.Address}:{HttpPort}");

    public int Pid { get; }

    public string CommandLine { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once the process has exited, else null.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>Starts <c>dotnet DLL ARGS</c> in <paramref name="workingDirectory"/>, on 127.0.0.1.</summary>
    public static NodeProcess Start(string node, int incarnation, string dotnet, string dll, IReadOnlyList<string> arguments, string workingDirectory, int clusterPort, int httpPort) =>
        Start(node, incarnation, NodePlace.Loopback, dotnet, dll, arguments, workingDirectory, clusterPort, httpPort);

    /// <summary>Starts <c>dotnet DLL ARGS</c> in <paramref name="workingDirectory"/>; in <paramref name="place"/>'s network
    /// namespace, if it names one, through <c>ip netns exec</c> (which execs the command: the pid is the node's).</summary>
    public static NodeProcess Start(string node, int incarnation, NodePlace place, string dotnet, string dll, IReadOnlyList<string> arguments, string workingDirectory, int clusterPort, int httpPort)
    {
        var startInfo = new ProcessStartInfo(place.Namespace is null ? dotnet : "ip")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        IEnumerable<string> command = place.Namespace is { } ns ? ["netns", "exec", ns, dotnet, dll, .. arguments] : [dll, .. arguments];
        foreach (var argument in command)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Environment variables override the node's HOCON file; whatever the test runner carries must not leak in.
        foreach (var key in startInfo.Environment.Keys.ToList())
        {
            if (key.StartsWith("session-cluster", StringComparison.OrdinalIgnoreCase) || key.Equals("urls", StringComparison.OrdinalIgnoreCase))
            {
                startInfo.Environment.Remove(key);
            }
        }

        // Every node gets the management token the way an operator would give it: the environment variable the example
        // node files substitute (hocon/*.conf: management.token = ${?SESSION_CLUSTER_MANAGEMENT_TOKEN}).
        startInfo.Environment[ManagementTokenVariable] = ManagementToken;

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var commandLine = $"{startInfo.FileName} {string.Join(' ', startInfo.ArgumentList)}";
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {node}: {commandLine}");
        }

        var started = new NodeProcess(node, incarnation, place, clusterPort, httpPort, process, commandLine);
        process.OutputDataReceived += (_, line) => started.Append("out", line.Data);
        process.ErrorDataReceived += (_, line) => started.Append("err", line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>kill -9 of the process and anything it started: no goodbye to the cluster.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>Like <see cref="Kill"/>, but quiet when the process is gone already; for last-resort cleanup.</summary>
    public void KillIfRunning()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception exception) when (exception is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Exited meanwhile, or already disposed.
        }
    }

    /// <summary>Sends SIGTERM (what systemd and Kubernetes send), which makes a node leave gracefully and exit.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", Pid.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false })
            ?? throw new InvalidOperationException("Could not run kill.");
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -TERM {Pid} exited with {kill.ExitCode}.");
        }
    }

    /// <summary>Waits until the process has exited (and its output is drained) and returns its exit code.</summary>
    /// <exception cref="TimeoutException">The process still runs after <paramref name="deadline"/>.</exception>
    public async Task<int> WaitForExitAsync(TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Waited {deadline.TotalSeconds:0.#} s for {Name} (pid {Pid}) to exit; it still runs.");
        }

        return _process.ExitCode;
    }

    /// <summary>True when some captured output line contains <paramref name="text"/> (ordinal).</summary>
    public bool LogContains(string text)
    {
        lock (_log)
        {
            return _log.Exists(line => line.Contains(text, StringComparison.Ordinal));
        }
    }

    /// <summary>Every captured line containing <paramref name="text"/> (ordinal), in order.</summary>
    public IReadOnlyList<string> LinesContaining(string text)
    {
        lock (_log)
        {
            return [.. _log.Where(line => line.Contains(text, StringComparison.Ordinal))];
        }
    }

    /// <summary>The node's identity, state and its last <paramref name="maxLines"/> output lines, for a failure report.</summary>
    public string Describe(int maxLines)
    {
        var text = new StringBuilder();
        var state = _process.HasExited ? $"exited with {_process.ExitCode}" : "running";
        text.AppendLine(CultureInfo.InvariantCulture, $"===== {Name}: pid {Pid}, cluster {ClusterAddress}, http {HttpPort}, {state}");
        text.AppendLine(CultureInfo.InvariantCulture, $"      {CommandLine}");
        lock (_log)
        {
            if (_log.Count > maxLines)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"      ... {_log.Count - maxLines} earlier lines omitted");
            }

            foreach (var line in _log.Skip(Math.Max(0, _log.Count - maxLines)))
            {
                text.AppendLine(line);
            }
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        KillIfRunning();
        try
        {
            using var timeout = new CancellationTokenSource(DisposeDeadline);
            await _process.WaitForExitAsync(timeout.Token);
            await KeepLogAsync();
        }
        catch (OperationCanceledException)
        {
            // SIGKILL cannot be refused; a process still there after this long is in the kernel's hands.
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>Writes the whole captured output to <c>$SESSIONCLUSTER_SPEC_LOG_DIR/NODE-INCARNATION-PID.log</c> when
    /// that variable is set: a failure report shows only each node's last lines, a flaky spec needs the whole story.</summary>
    private async Task KeepLogAsync()
    {
        if (Environment.GetEnvironmentVariable("SESSIONCLUSTER_SPEC_LOG_DIR") is not { Length: > 0 } directory)
        {
            return;
        }

        Directory.CreateDirectory(directory);
        string[] lines;
        lock (_log)
        {
            lines = [.. _log];
        }

        await File.WriteAllLinesAsync(Path.Combine(directory, $"{Node}-{Incarnation}-{Pid}.log"), lines);
    }

    private void Append(string stream, string? line)
    {
        if (line is null)
        {
            return;
        }

        var stamped = $"{DateTime.Now:HH:mm:ss.fff} {stream} {line}";
        lock (_log)
        {
            _log.Add(stamped);
        }
    }
}
