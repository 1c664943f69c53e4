using Microsoft.Extensions.Configuration;

namespace SessionCluster.Hocon;

/// <summary>Turns a resolved HOCON tree into <c>IConfiguration</c> keys (<c>a:b:0</c>) with their origins.</summary>
internal static class ConfigurationKeyFlattener
{
    /// <summary>Flattened entries in document order; null values stand for HOCON null and empty objects or arrays.</summary>
    public static List<(string Key, string? Value, HoconOrigin Origin, bool IsSection)> Flatten(HoconObject root)
    {
        var entries = new List<(string, string?, HoconOrigin, bool)>();
        foreach (var (key, value) in root.Fields)
        {
            Flatten(value, key, entries);
        }

        return entries;
    }

    private static void Flatten(HoconValue value, string key, List<(string, string?, HoconOrigin, bool)> entries)
    {
        switch (value)
        {
            case HoconScalar scalar:
                entries.Add((key, scalar.Kind == HoconScalarKind.Null ? null : scalar.Text, scalar.Origin, false));
                break;
            case HoconObject obj:
                // An empty object still appears, as the JSON provider does, so it can override a lower layer.
                entries.Add((key, null, obj.Origin, obj.Count > 0));
                foreach (var (childKey, child) in obj.Fields)
                {
                    Flatten(child, ConfigurationPath.Combine(key, childKey), entries);
                }

                break;
            case HoconArray array:
                entries.Add((key, null, array.Origin, array.Count > 0));
                for (var i = 0; i < array.Count; i++)
                {
                    Flatten(array.Items[i], ConfigurationPath.Combine(key, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), entries);
                }

                break;
        }
    }
}
