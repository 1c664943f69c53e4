using Microsoft.Extensions.Configuration;
using SessionCluster.Actors.Hosting;
using SessionCluster.Hocon;

namespace SessionCluster.Hosting;

/// <summary>Builds a node's configuration for a library host: reference.conf, the HOCON file, the options' settings,
/// then the <c>session-cluster</c> section of the app's own configuration.</summary>
/// <remarks>The app's configuration has no reference.conf under it (it is an ordinary app), so the node's settings are
/// bound from this separate stack, which copies in only the app's <c>session-cluster</c> keys. Unknown keys there fail
/// the start like anywhere else.</remarks>
public static class SessionClusterConfiguration
{
    /// <summary>The layered configuration; a HOCON syntax error or a missing file throws naming the file and line.</summary>
    public static IConfiguration Build(SessionClusterOptions options, IConfiguration? app)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ConfigurationBuilder();
        if (options.ConfigFile is { } file)
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

        builder.AddInMemoryCollection(options.Settings.Select(pair => KeyValuePair.Create(ToConfigurationKey(pair.Key), (string?)pair.Value)));
        if (options.UseAppConfiguration && app is not null)
        {
            builder.AddInMemoryCollection(app.GetSection(SessionClusterSettings.Root).AsEnumerable().Where(pair => pair.Value is not null));
        }

        return builder.Build();
    }

    /// <summary><c>sessions.max-attributes</c> or <c>session-cluster.sessions.max-attributes</c> →
    /// <c>session-cluster:sessions:max-attributes</c>.</summary>
    public static string ToConfigurationKey(string hoconPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hoconPath);
        var key = hoconPath.Replace('.', ':');
        return key.StartsWith(SessionClusterSettings.Root + ":", StringComparison.OrdinalIgnoreCase) ? key : SessionClusterSettings.Root + ":" + key;
    }
}
