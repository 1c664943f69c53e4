using System.CommandLine;
using System.Globalization;
using SessionCluster.Cmd.Api;

namespace SessionCluster.Cmd;

/// <summary>The options every command takes: which node to ask, the token, JSON output and the request timeout.</summary>
public sealed class GlobalOptions
{
    public const string NodeVariable = "SESSIONCTL_NODE";
    public const string TokenVariable = "SESSIONCTL_TOKEN";

    public GlobalOptions(CliEnvironment environment)
    {
        Node = new Option<string>("--node", "-n")
        {
            Description = $"HTTP address of the node to ask, host:port [env {NodeVariable}]",
            HelpName = "host:port",
            Recursive = true,
            DefaultValueFactory = _ => environment.GetEnvironmentVariable(NodeVariable) is { Length: > 0 } node ? node : NodeEndpoint.Default,
        };
        Node.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } text && !NodeEndpoint.TryParse(text, out _, out var error))
            {
                result.AddError(error);
            }
        });

        Token = new Option<string?>("--token")
        {
            Description = $"management token for actions (session-cluster.management.token) [env {TokenVariable}]",
            Recursive = true,
            DefaultValueFactory = _ => environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } token ? token : null,
        };

        Json = new Option<bool>("--json")
        {
            Description = "print machine-readable JSON instead of tables",
            Recursive = true,
        };

        Timeout = new Option<double>("--timeout")
        {
            Description = "seconds to wait for each answer of the node",
            HelpName = "seconds",
            Recursive = true,
            DefaultValueFactory = _ => 10,
        };
        Timeout.Validators.Add(result =>
        {
            if (result.Tokens is [var token] && double.TryParse(token.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && !(seconds > 0 && seconds <= 3600))
            {
                result.AddError($"--timeout {seconds.ToString(CultureInfo.InvariantCulture)} is out of range: give seconds above 0, at most 3600.");
            }
        });
    }

    public Option<string> Node { get; }

    public Option<string?> Token { get; }

    public Option<bool> Json { get; }

    public Option<double> Timeout { get; }
}
