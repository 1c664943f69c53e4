using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>
/// Runs the built <c>sessionctl</c> (<c>dotnet exec sessionctl.dll …</c>) as its own process, as an operator would,
/// and captures its stdout, stderr and exit code. The dll's path is recorded at build time like the node hosts'
/// (<c>NodeHost:sessionctl</c>, see <see cref="NodeHosts"/>).
/// </summary>
internal sealed class SessionctlRunner
{
    /// <summary>Far above what one command takes (a process start and one or two HTTP round trips), so only a hang trips it.</summary>
    private static readonly TimeSpan RunDeadline = TimeSpan.FromSeconds(60);

    private readonly string _dotnet;
    private readonly string _dll;

    private SessionctlRunner(string dotnet, string dll)
    {
        _dotnet = dotnet;
        _dll = dll;
    }

    /// <summary>Every run so far, for the failure report.</summary>
    public List<SessionctlResult> History { get; } = [];

    public static SessionctlRunner Locate()
    {
        var recorded = typeof(SessionctlRunner).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(attribute => attribute.Key == "NodeHost:sessionctl")?.Value;
        if (recorded is null || !File.Exists(recorded) || !File.Exists(Path.ChangeExtension(recorded, ".runtimeconfig.json")))
        {
            throw new FileNotFoundException($"sessionctl.dll (with its runtimeconfig.json) is not built where the build recorded it ('{recorded}'). Build the solution first.");
        }

        return new SessionctlRunner(NodeHosts.Locate().Dotnet, recorded);
    }

    /// <summary>Starts <c>sessionctl <paramref name="arguments"/></c> and returns at once, for the commands that run until Ctrl+C.</summary>
    /// <remarks>It starts with SIGINT at its default, as a terminal's foreground job has it, through coreutils'
    /// <c>env --default-signal</c> (which then execs it, keeping the pid). A child inherits an ignored SIGINT, and a
    /// non-interactive shell ignores it for whatever it starts with <c>&amp;</c>: run from such a script, the test runner
    /// would hand sessionctl an ignored SIGINT, which .NET honours (as nohup expects), and the Ctrl+C phases would fail
    /// for the way the tests were launched.</remarks>
    public SessionctlProcess Start(params string[] arguments)
    {
        var startInfo = StartInfo(arguments);
        startInfo.ArgumentList.Insert(0, startInfo.FileName);
        startInfo.ArgumentList.Insert(0, "--default-signal=INT");
        startInfo.FileName = "env";
        return SessionctlProcess.Start(startInfo, string.Join(' ', arguments));
    }

    /// <summary>Runs <c>sessionctl <paramref name="arguments"/></c> to its end.</summary>
    public async Task<SessionctlResult> RunAsync(params string[] arguments)
    {
        var startInfo = StartInfo(arguments);
        var started = Stopwatch.StartNew();
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {_dotnet} exec {_dll}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(RunDeadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"sessionctl {string.Join(' ', arguments)} still ran after {RunDeadline.TotalSeconds:0} s.");
        }

        var result = new SessionctlResult(string.Join(' ', arguments), process.ExitCode, await stdout, await stderr, started.Elapsed);
        lock (History)
        {
            History.Add(result);
        }

        return result;
    }

    private ProcessStartInfo StartInfo(string[] arguments)
    {
        var startInfo = new ProcessStartInfo(_dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add("exec");
        startInfo.ArgumentList.Add(_dll);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // The runner's own environment must not pick the node or the token.
        startInfo.Environment.Remove("SESSIONCTL_NODE");
        startInfo.Environment.Remove("SESSIONCTL_TOKEN");
        return startInfo;
    }

    /// <summary>The last <paramref name="count"/> runs, for a failure message.</summary>
    public string Report(int count = 20)
    {
        var text = new StringBuilder("sessionctl runs (last first):\n");
        lock (History)
        {
            foreach (var run in History.AsEnumerable().Reverse().Take(count))
            {
                text.AppendLine(run.ToString());
            }
        }

        return text.ToString();
    }
}
