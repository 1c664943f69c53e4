namespace SessionCluster.Actors.Hosting;

/// <summary>The switches every node host accepts; anything else is an error, never silently ignored.</summary>
/// <param name="ConfigFile">The HOCON file layered over reference.conf; null runs on reference.conf alone.</param>
/// <param name="Overrides">Settings from the command line as configuration keys (<c>session-cluster:a:b</c>) and values.</param>
public sealed record NodeCommandLine(string? ConfigFile, IReadOnlyDictionary<string, string> Overrides)
{
    /// <summary>One line per switch, for <c>--help</c> and for error messages.</summary>
    public const string Usage = """
        Options:
          --config FILE                         HOCON file over hocon/reference.conf (default: {0})
          --urls URL[;URL]                      HTTP endpoints, ASP.NET's own switch (default: http://localhost:5000)
          --http PORT                           shorthand for --urls http://localhost:PORT
          --route NAME                          the cookie's route suffix (default: derived from host and port)
          --hostname HOST                       cluster address of this node (default 127.0.0.1)
          --port N                              cluster TCP port; 0 = any free port, logged (default: from the config file)
          --seeds HOST:PORT[,HOST:PORT...]      seed nodes; none = form a single-node cluster
          --roles ROLE[,ROLE...]                worker, front, lighthouse
          --session-cluster:path:to:key=VALUE   any setting of hocon/reference.conf
          --help                                this text
        """;

    /// <summary>True when <c>--help</c> was given.</summary>
    public bool HelpRequested { get; init; }

    /// <summary>The .NET host's own switches (<c>--environment</c>, <c>--contentRoot</c>, <c>--applicationName</c>),
    /// accepted so that <c>dotnet run --environment X</c> and test hosts work; null when not given.</summary>
    public string? EnvironmentName { get; init; }

    public string? ContentRoot { get; init; }

    public string? ApplicationName { get; init; }

    /// <summary>
    /// Parses the switches of a host's entry point. A bad switch prints one error line and the usage to standard
    /// error (exit code 2); <c>--help</c> prints the usage (exit code 0). Null means: exit with <paramref name="exitCode"/>.
    /// </summary>
    public static NodeCommandLine? ParseForHost(
        IReadOnlyList<string> args, string? defaultConfigFile, string defaultConfigDescription, string hostDescription, out int exitCode)
    {
        var usage = string.Format(System.Globalization.CultureInfo.InvariantCulture, Usage, defaultConfigDescription);
        exitCode = NodeExitCodes.Stopped;
        try
        {
            var commandLine = Parse(args, defaultConfigFile);
            if (!commandLine.HelpRequested)
            {
                return commandLine;
            }

            Console.WriteLine(hostDescription);
            Console.WriteLine(usage);
            return null;
        }
        catch (CommandLineException exception)
        {
            Console.Error.WriteLine($"error: {exception.Message}");
            Console.Error.WriteLine(usage);
            exitCode = NodeExitCodes.CannotStart;
            return null;
        }
    }

    /// <summary>Parses <paramref name="args"/>; throws <see cref="CommandLineException"/> with a one-line reason.</summary>
    public static NodeCommandLine Parse(IReadOnlyList<string> args, string? defaultConfigFile)
    {
        var config = defaultConfigFile;
        var overrides = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var help = false;
        string? environment = null, contentRoot = null, applicationName = null;
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inlineValue) = Split(args[i]);
            string Value()
            {
                if (inlineValue is not null)
                {
                    return inlineValue;
                }

                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new CommandLineException($"Switch {name} needs a value.");
                }

                return args[++i];
            }

            switch (name)
            {
                case "--help" or "-h" or "-?":
                    help = true;
                    break;
                case "--config":
                    config = Value();
                    break;
                case "--urls":
                    overrides["urls"] = Value();
                    break;
                case "--http":
                    var port = Value();
                    if (!ushort.TryParse(port, out var number) || number == 0)
                    {
                        throw new CommandLineException($"--http expects a port number from 1 to 65535, got '{port}'.");
                    }

                    overrides["urls"] = $"http://localhost:{number}";
                    break;
                case "--environment":
                    environment = Value();
                    break;
                case "--contentRoot":
                    contentRoot = Value();
                    break;
                case "--applicationName":
                    applicationName = Value();
                    break;
                case "--hostname":
                    overrides[SessionClusterSettings.Root + ":remote:hostname"] = Value();
                    break;
                case "--port":
                    var clusterPort = Value();
                    if (!ushort.TryParse(clusterPort, out _))
                    {
                        throw new CommandLineException($"--port expects a port number from 0 to 65535, got '{clusterPort}'.");
                    }

                    overrides[SessionClusterSettings.Root + ":remote:port"] = clusterPort;
                    break;
                case "--seeds":
                    overrides[SessionClusterSettings.Root + ":cluster:seed-nodes"] = Value();
                    break;
                case "--roles":
                    overrides[SessionClusterSettings.Root + ":node:roles"] = Value();
                    break;
                case "--route":
                    overrides[SessionClusterSettings.Root + ":node:route"] = Value();
                    break;
                default:
                    if (name.StartsWith("--" + SessionClusterSettings.Root + ":", StringComparison.OrdinalIgnoreCase) && name.Length > SessionClusterSettings.Root.Length + 3)
                    {
                        overrides[name[2..]] = Value();
                        break;
                    }

                    // Hosts that turn a setting a:b:c into switches also pass its parent sections with no value.
                    if (string.Equals(name, "--" + SessionClusterSettings.Root, StringComparison.OrdinalIgnoreCase) && inlineValue is "")
                    {
                        break;
                    }

                    throw new CommandLineException($"Unknown switch '{args[i]}'.");
            }
        }

        return new NodeCommandLine(config, overrides)
        {
            HelpRequested = help,
            EnvironmentName = environment,
            ContentRoot = contentRoot,
            ApplicationName = applicationName,
        };
    }

    private static (string Name, string? Value) Split(string arg)
    {
        if (!arg.StartsWith("--", StringComparison.Ordinal) && !arg.StartsWith('-'))
        {
            throw new CommandLineException($"Unexpected argument '{arg}': switches start with --.");
        }

        var equals = arg.IndexOf('=');
        return equals < 0 ? (arg, null) : (arg[..equals], arg[(equals + 1)..]);
    }
}

/// <summary>A command line the node cannot run with; the message is one line for the operator.</summary>
public sealed class CommandLineException(string message) : Exception(message);
