using System.CommandLine;
using SessionCluster.Cmd.Api;

namespace SessionCluster.Cmd;

/// <summary>
/// Wraps each command's body: builds its <see cref="CommandContext"/> from the global options, and turns every
/// failure into one line on stderr and an exit code (<see cref="ExitCodes"/>).
/// </summary>
public sealed class CommandRunner(CliEnvironment environment, GlobalOptions options)
{
    public GlobalOptions Options => options;

    /// <summary>The action for a command whose body returns normally on success.</summary>
    public Func<ParseResult, CancellationToken, Task<int>> Action(Func<CommandContext, ParseResult, CancellationToken, Task> body) =>
        async (parse, cancellation) =>
        {
            // The validators already checked --node; a failure here would be a bug, reported as a usage error.
            if (!NodeEndpoint.TryParse(parse.GetValue(options.Node) ?? NodeEndpoint.Default, out var baseAddress, out var error))
            {
                return Fail(ExitCodes.Usage, error);
            }

            using var client = new ManagementClient(baseAddress, parse.GetValue(options.Token), TimeSpan.FromSeconds(parse.GetValue(options.Timeout)), environment.Handler);
            var context = new CommandContext(client, environment, parse.GetValue(options.Json));
            try
            {
                await body(context, parse, cancellation);
                return ExitCodes.Success;
            }
            catch (ManagementException exception)
            {
                return Fail(exception.ExitCode, exception.Message);
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                return Fail(ExitCodes.Interrupted, "interrupted.");
            }
        };

    private int Fail(int exitCode, string message)
    {
        environment.Error.WriteLine("sessionctl: " + message);
        environment.Error.Flush();
        return exitCode;
    }
}
