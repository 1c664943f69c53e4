using Microsoft.Extensions.Configuration;
using SessionCluster.Hocon;

namespace SessionCluster.Actors.Hosting;

/// <summary>Layers a node's configuration: reference.conf, then its HOCON file, then environment, then command line.</summary>
public static class NodeConfiguration
{
    /// <summary>
    /// The default node file: <c>hocon/NAME</c> under the working directory, else beside the executable; null when
    /// neither exists, in which case the node runs on reference.conf alone (the embedded default).
    /// </summary>
    public static string? DefaultConfigFile(string name)
    {
        foreach (var directory in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            var candidate = Path.Combine(directory, "hocon", name);
            if (File.Exists(candidate))
            {
                return Path.GetRelativePath(Directory.GetCurrentDirectory(), candidate);
            }
        }

        return null;
    }

    /// <summary>Adds reference.conf alone.</summary>
    public static IConfigurationBuilder AddReferenceConfiguration(this IConfigurationBuilder builder) =>
        builder.Add(ReferenceConfiguration.Source);

    /// <summary>
    /// Replaces the builder's sources with the node's layers. The HOCON file and reference.conf form one HOCON
    /// document, so a node file's array replaces the default array instead of mixing with it index by index.
    /// Environment variables (<c>session-cluster__sessions__cookie-name</c>) and the command line override both.
    /// A file that cannot be read or parsed throws here, naming the file, line and column.
    /// </summary>
    public static IConfigurationBuilder AddNodeConfiguration(this IConfigurationBuilder builder, NodeCommandLine commandLine)
    {
        builder.Sources.Clear();
        if (commandLine.ConfigFile is { } file)
        {
            builder.Add(new HoconConfigurationSource
            {
                FilePath = Path.GetFullPath(file),
                OriginName = file,
                Fallback = ReferenceConfiguration.Source,
            });
        }
        else
        {
            builder.AddReferenceConfiguration();
        }

        builder.AddEnvironmentVariables();
        builder.AddInMemoryCollection(commandLine.Overrides.Select(pair => KeyValuePair.Create(pair.Key, (string?)pair.Value)));
        return builder;
    }
}
