using Spectre.Console;

namespace SessionCluster.Cmd;

/// <summary>
/// Everything sessionctl touches outside itself: where tables go, where raw JSON goes, where errors go, environment
/// variables, the HTTP handler and the clock. The program passes the real ones; tests pass writers and a local server.
/// </summary>
/// <param name="Console">Where human-readable views are drawn (tables, charts, the live watch).</param>
/// <param name="Out">Where <c>--json</c> output goes, unformatted: one document per line.</param>
/// <param name="Error">Where the one-line error of a failed command goes.</param>
/// <param name="GetEnvironmentVariable">Reads SESSIONCTL_NODE and SESSIONCTL_TOKEN.</param>
/// <param name="Time">The clock of the watch and of event times.</param>
/// <param name="Handler">The HTTP handler for the management API; null for a plain socket handler.</param>
/// <param name="HandleTermination">Whether Ctrl+C / SIGTERM cancel the command (off in tests, which cancel through the token).</param>
public sealed record CliEnvironment(
    IAnsiConsole Console,
    TextWriter Out,
    TextWriter Error,
    Func<string, string?> GetEnvironmentVariable,
    TimeProvider Time,
    HttpMessageHandler? Handler = null,
    bool HandleTermination = true)
{
    /// <summary>Width of the views when stdout is not a terminal: wide enough that no count line wraps in a log or a pipe.</summary>
    private const int RedirectedWidth = 200;

    /// <summary>The process's own console, environment and clock; plain text (no colours, no cursor moves) when stdout is redirected.</summary>
    public static CliEnvironment FromProcess()
    {
        var console = AnsiConsole.Console;
        if (System.Console.IsOutputRedirected)
        {
            console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
                Out = new AnsiConsoleOutput(System.Console.Out),
            });
            console.Profile.Width = RedirectedWidth;
        }

        return new(console, System.Console.Out, System.Console.Error, Environment.GetEnvironmentVariable, TimeProvider.System);
    }
}
