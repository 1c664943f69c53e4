using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;

namespace SessionCluster.Hocon;

/// <summary>Exposes a HOCON file or text as configuration keys, remembering where each key was defined.</summary>
public sealed class HoconConfigurationProvider : ConfigurationProvider
{
    private Dictionary<string, HoconOrigin> _origins = new(StringComparer.OrdinalIgnoreCase);

    public HoconConfigurationProvider(HoconConfigurationSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Source = source;
    }

    public HoconConfigurationSource Source { get; }

    /// <summary>The resolved document from the last load; null before loading or when an optional file is missing.</summary>
    public HoconObject? Document { get; private set; }

    /// <summary>Parses the source. Errors propagate as <see cref="HoconException"/> so a bad file stops startup.</summary>
    public override void Load()
    {
        var document = Source.LoadDocument();
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var origins = new Dictionary<string, HoconOrigin>(StringComparer.OrdinalIgnoreCase);
        if (document is not null)
        {
            foreach (var (key, value, origin, isSection) in ConfigurationKeyFlattener.Flatten(document))
            {
                // Non-empty objects and arrays are sections, not values, but their origins are still useful.
                if (!isSection)
                {
                    data[key] = value;
                }

                origins[key] = origin;
            }
        }

        Document = document;
        Data = data;
        _origins = origins;
    }

    /// <summary>Finds where a key (<c>a:b:c</c>, case-insensitive) or section was defined in HOCON.</summary>
    public bool TryGetOrigin(string key, [MaybeNullWhen(false)] out HoconOrigin origin)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _origins.TryGetValue(key, out origin);
    }

    public override string ToString() => $"{nameof(HoconConfigurationProvider)} for '{Source.OriginName}'";
}
