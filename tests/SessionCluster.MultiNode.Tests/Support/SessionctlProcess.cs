using System.Diagnostics;
using System.Globalization;

namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>
/// A sessionctl that runs until stopped (<c>cluster tail</c>, <c>sharding watch</c>): its stdout lines as they come,
/// and Ctrl+C delivered as a real SIGINT. Disposal kills it if it still runs.
/// </summary>
internal sealed class SessionctlProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<string> _errors = [];

    private SessionctlProcess(Process process, string arguments)
    {
        _process = process;
        Arguments = arguments;
    }

    public string Arguments { get; }

    /// <summary>The stdout lines so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public static SessionctlProcess Start(ProcessStartInfo startInfo, string arguments)
    {
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start sessionctl {arguments}.");
        }

        var started = new SessionctlProcess(process, arguments);
        process.OutputDataReceived += (_, line) => started.Append(started._lines, line.Data);
        process.ErrorDataReceived += (_, line) => started.Append(started._errors, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>Ctrl+C: SIGINT to the process, as a terminal sends it.</summary>
    public async Task InterruptAsync()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-INT", _process.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false })
            ?? throw new InvalidOperationException("Could not run kill.");
        await kill.WaitForExitAsync();
    }

    /// <summary>Waits for the exit and returns its code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"sessionctl {Arguments} (pid {_process.Id}) still runs {deadline.TotalSeconds:0} s after being asked to stop; {SignalDispositions()}.");
        }

        return _process.ExitCode;
    }

    /// <summary>The process's ignored and caught signal masks from /proc, which tell a SIGINT it ignores (bit 1) from
    /// one it handles but does not act on.</summary>
    private string SignalDispositions()
    {
        try
        {
            var masks = File.ReadLines($"/proc/{_process.Id}/status").Where(line => line.StartsWith("SigIgn:", StringComparison.Ordinal) || line.StartsWith("SigCgt:", StringComparison.Ordinal));
            return "its /proc status: " + string.Join(", ", masks.Select(line => line.Replace('\t', ' ')));
        }
        catch (IOException exception)
        {
            return "its /proc status is unreadable: " + exception.Message;
        }
    }

    public override string ToString()
    {
        lock (_lines)
        {
            var state = _process.HasExited ? $"exited with {_process.ExitCode}" : "running";
            return $"sessionctl {Arguments} ({state}); stdout:\n  {string.Join("\n  ", _lines.TakeLast(30))}\nstderr:\n  {string.Join("\n  ", _errors.TakeLast(30))}";
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void Append(List<string> list, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            list.Add(line);
        }
    }
}
