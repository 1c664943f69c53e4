using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Session;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SessionCluster.Actors.Diagnostics;
using SessionCluster.Actors.Hosting;
using SessionCluster.Hosting.AspNetSessions;
using SessionCluster.Hosting.Http;

namespace SessionCluster.Hosting;

/// <summary><c>services.AddSessionCluster()</c>: makes the app a SessionCluster node whose sessions are clustered,
/// replicated and failover-safe (the counterpart of Akka.Cluster.Hosting's <c>AddAkka</c>).</summary>
public static class SessionClusterServiceCollectionExtensions
{
    /// <summary>
    /// Registers the node (<see cref="SessionNode"/>, through <see cref="SessionNodeServiceCollectionExtensions.AddSessionNode"/>)
    /// as a hosted service, its settings from <see cref="SessionClusterConfiguration"/>, its metrics collector, the
    /// request-counting middleware, and, unless turned off, the cluster as ASP.NET Core's session store and a
    /// cluster-wide Data Protection key. <c>app.MapSessionClusterEndpoints()</c> then serves the HTTP contract.
    /// </summary>
    /// <remarks>
    /// Start and stop are coordinated by the host: hosted services registered before the server start first, so the
    /// node has joined its cluster before the first request arrives; on shutdown the server stops taking requests
    /// first, then the node hands its shards (and sessions) to the others and leaves. Settings are bound when the host
    /// starts, so a bad setting fails the start with its key path.
    /// </remarks>
    public static IServiceCollection AddSessionCluster(this IServiceCollection services, Action<SessionClusterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new SessionClusterOptions();
        configure?.Invoke(options);
        if (options.AppConfigurationIsNodeConfiguration && (options.ConfigFile is not null || options.Settings.Count > 0))
        {
            throw new InvalidOperationException(
                "SessionClusterOptions.ConfigFile and Settings do not apply when the app's configuration is the node's (AppConfigurationIsNodeConfiguration): put them in that configuration instead.");
        }

        services.TryAddSingleton(options);
        // Registered before AddSessionNode's TryAdd, so the node binds from the layered stack, not the app's bare configuration.
        services.TryAddSingleton(provider => SessionClusterSettings.Load(
            options.AppConfigurationIsNodeConfiguration
                ? provider.GetRequiredService<IConfiguration>()
                : SessionClusterConfiguration.Build(options, provider.GetService<IConfiguration>())));
        services.AddSessionNode();
        services.AddSessionClusterMetrics();

        if (options.MeasureRequests)
        {
            services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, SessionRequestMetricsStartupFilter>());
        }

        // The node's shutdown delay (http.shutdown-delay) only helps a balancer if connections close after responses.
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, ConnectionCloseWhileStopping>());

        if (options.ApplyKestrelLimits)
        {
            services.AddOptions<KestrelServerOptions>()
                .Configure<SessionClusterSettings>((kestrel, settings) => KestrelLimits.Apply(kestrel, settings.Http));
        }

        if (options.UseAsSessionStore)
        {
            services.AddHttpContextAccessor();
            services.TryAddSingleton<SessionKeyIds>(provider => new SessionKeyIds(provider.GetRequiredService<SessionClusterSettings>().Remote.Secret));
            // Replaces the distributed-cache store whether AddSession() ran before or after this.
            services.RemoveAll<ISessionStore>();
            services.AddSingleton<ISessionStore, ClusterSessionStore>();
        }

        if (options.ShareDataProtectionKeys)
        {
            services.AddSingleton<IConfigureOptions<KeyManagementOptions>, ClusterKeyManagementSetup>();
            services.AddSingleton<IConfigureOptions<Microsoft.AspNetCore.DataProtection.DataProtectionOptions>, ClusterDataProtectionSetup>();
        }

        return services;
    }
}
