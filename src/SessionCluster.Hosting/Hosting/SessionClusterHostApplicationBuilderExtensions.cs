using Microsoft.Extensions.Hosting;
using SessionCluster.Actors.Hosting;

namespace SessionCluster.Hosting;

/// <summary><c>builder.AddSessionCluster()</c> on a <c>WebApplicationBuilder</c> (or any <see cref="IHostApplicationBuilder"/>):
/// the one line that replaces <c>AddStackExchangeRedisCache(...)</c> in the usual session recipe.</summary>
public static class SessionClusterHostApplicationBuilderExtensions
{
    /// <summary>Same as <see cref="SessionClusterServiceCollectionExtensions.AddSessionCluster"/> on the builder's services;
    /// the node reads the <c>session-cluster</c> section of the builder's configuration over reference.conf (and over
    /// <see cref="SessionClusterOptions.ConfigFile"/> when set).</summary>
    public static TBuilder AddSessionCluster<TBuilder>(this TBuilder builder, Action<SessionClusterOptions>? configure = null)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSessionCluster(configure);
        return builder;
    }

    /// <summary>
    /// A node process's form: the builder's configuration becomes the node's own stack (reference.conf, the
    /// <c>--config</c> HOCON file, environment variables, then the command line's settings; see
    /// <see cref="NodeConfiguration.AddNodeConfiguration"/>), replacing its default sources, and the node binds from
    /// it as it is (<see cref="SessionClusterOptions.AppConfigurationIsNodeConfiguration"/>). Sources the host adds
    /// later (a test host's settings) still go on top.
    /// </summary>
    /// <exception cref="SessionCluster.Hocon.HoconException">The file is not valid HOCON (names the file and line).</exception>
    /// <exception cref="FileNotFoundException">The <c>--config</c> file does not exist.</exception>
    public static TBuilder AddSessionCluster<TBuilder>(this TBuilder builder, NodeCommandLine commandLine, Action<SessionClusterOptions>? configure = null)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(commandLine);
        builder.Configuration.AddNodeConfiguration(commandLine);
        builder.Services.AddSessionCluster(options =>
        {
            options.AppConfigurationIsNodeConfiguration = true;
            configure?.Invoke(options);
        });
        return builder;
    }
}
