using Microsoft.Extensions.Configuration;

namespace SessionCluster.Hocon;

/// <summary>Finds which HOCON file and line supplied a configuration key, for error messages.</summary>
public static class HoconOrigins
{
    /// <summary>
    /// Returns the origin of <paramref name="key"/> (<c>a:b:c</c>) if the provider that wins for it is HOCON;
    /// null when the key is missing or a later non-HOCON provider (environment, command line) overrides it.
    /// </summary>
    public static HoconOrigin? Find(IConfigurationRoot root, string key)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(key);
        var providers = root.Providers.Reverse().ToList();
        foreach (var provider in providers)
        {
            // Same rule as IConfiguration itself: the last provider with a value wins.
            if (provider.TryGet(key, out _))
            {
                return provider is HoconConfigurationProvider hocon && hocon.TryGetOrigin(key, out var origin) ? origin : null;
            }
        }

        // Sections have no value of their own; report the newest HOCON definition.
        foreach (var provider in providers.OfType<HoconConfigurationProvider>())
        {
            if (provider.TryGetOrigin(key, out var origin))
            {
                return origin;
            }
        }

        return null;
    }
}
