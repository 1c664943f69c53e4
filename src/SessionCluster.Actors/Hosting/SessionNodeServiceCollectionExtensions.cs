using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace SessionCluster.Actors.Hosting;

/// <summary>Registers a <see cref="SessionNode"/> whose settings are bound from the host's configuration.</summary>
public static class SessionNodeServiceCollectionExtensions
{
    /// <summary>Adds the node as a singleton and a hosted service. Settings are bound when the node is first resolved,
    /// which the host does at start-up, so a bad setting fails the start with the key's name.</summary>
    public static IServiceCollection AddSessionNode(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => SessionClusterSettings.Load(provider.GetRequiredService<IConfiguration>()));
        services.TryAddSingleton(provider =>
        {
            var settings = provider.GetRequiredService<SessionClusterSettings>();
            var configuration = provider.GetRequiredService<IConfiguration>();
            return new SessionNode(
                settings,
                NodeRoute.Resolve(settings.Node.Route, configuration["urls"]),
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<ILoggerFactory>(),
                provider.GetService<IHostApplicationLifetime>());
        });
        services.TryAddSingleton(provider => provider.GetRequiredService<SessionNode>().Management);
        services.AddHostedService(provider => provider.GetRequiredService<SessionNode>());
        return services;
    }
}
