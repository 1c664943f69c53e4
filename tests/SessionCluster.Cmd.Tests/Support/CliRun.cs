using System.Text;
using Spectre.Console;

namespace SessionCluster.Cmd.Tests.Support;

/// <summary>Runs sessionctl in-process on writers: what it printed on stdout and stderr, and its exit code.</summary>
internal sealed class CliRun
{
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _error = new();

    private CliRun(Dictionary<string, string>? environment, bool terminal = false)
    {
        Out = TextWriter.Synchronized(new StringWriter(_out));
        Error = TextWriter.Synchronized(new StringWriter(_error));
        Environment = new CliEnvironment(
            terminal ? PlainConsole.CreateTerminal(Out) : PlainConsole.Create(Out),
            Out,
            Error,
            name => environment?.GetValueOrDefault(name),
            TimeProvider.System,
            HandleTermination: false);
    }

    public CliEnvironment Environment { get; }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    public string Stdout
    {
        get
        {
            lock (Out)
            {
                return _out.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (Error)
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>Runs <paramref name="args"/> to the end.</summary>
    public static async Task<(int ExitCode, CliRun Run)> RunAsync(string[] args, Dictionary<string, string>? environment = null, CancellationToken cancellation = default)
    {
        var run = new CliRun(environment);
        var exitCode = await SessionctlApp.RunAsync(args, run.Environment, cancellation);
        return (exitCode, run);
    }

    /// <summary>Starts <paramref name="args"/> without waiting, for the commands that run until cancelled (tail, watch).</summary>
    /// <param name="args">The command line.</param>
    /// <param name="cancellation">Ctrl+C.</param>
    /// <param name="terminal">Draw on an interactive ANSI terminal (cursor moves) instead of plain text.</param>
    public static (Task<int> ExitCode, CliRun Run) Start(string[] args, CancellationToken cancellation, bool terminal = false)
    {
        var run = new CliRun(null, terminal);
        return (Task.Run(() => SessionctlApp.RunAsync(args, run.Environment, cancellation), CancellationToken.None), run);
    }

    /// <summary>The stdout lines that are not empty.</summary>
    public IReadOnlyList<string> Lines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
