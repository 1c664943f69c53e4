using Microsoft.Extensions.Hosting;

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
}
