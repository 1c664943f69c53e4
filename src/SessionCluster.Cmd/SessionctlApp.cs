using System.CommandLine;
using SessionCluster.Cmd.Commands;

namespace SessionCluster.Cmd;

/// <summary>sessionctl's command tree and its entry point, over a <see cref="CliEnvironment"/> so tests run it in-process.</summary>
public static class SessionctlApp
{
    /// <summary>How long a command gets to finish after Ctrl+C (its token is cancelled at once) before the process exits anyway.</summary>
    private static readonly TimeSpan TerminationGrace = TimeSpan.FromSeconds(2);

    public static RootCommand Build(CliEnvironment environment)
    {
        var options = new GlobalOptions(environment);
        var runner = new CommandRunner(environment, options);
        var root = new RootCommand("sessionctl: look at and operate a SessionCluster through any node's management API")
        {
            options.Node,
            options.Token,
            options.Json,
            options.Timeout,
            ClusterCommands.Create(runner),
            ShardingCommands.Create(runner),
            SessionCommands.Create(runner),
            NodeCommands.Create(runner),
        };
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code (<see cref="ExitCodes"/>).</summary>
    public static async Task<int> RunAsync(string[] args, CliEnvironment environment, CancellationToken cancellation = default)
    {
        var parse = Build(environment).Parse(args);
        var configuration = new InvocationConfiguration
        {
            Output = environment.Out,
            Error = environment.Error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = environment.HandleTermination ? TerminationGrace : null,
        };

        // A usage error is one line naming what is wrong (System.CommandLine's own action would print the help too).
        if (parse.Errors.Count > 0)
        {
            var errors = string.Join(" ", parse.Errors.Select(error => error.Message.TrimEnd('.') + "."));
            await environment.Error.WriteLineAsync($"sessionctl: {errors} See 'sessionctl --help'.");
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(configuration, cancellation);
    }
}
