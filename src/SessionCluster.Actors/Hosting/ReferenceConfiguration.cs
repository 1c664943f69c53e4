using SessionCluster.Hocon;

namespace SessionCluster.Actors.Hosting;

/// <summary>hocon/reference.conf, embedded in this assembly: every setting and its default.</summary>
public static class ReferenceConfiguration
{
    /// <summary>How the embedded file is named in origins and errors.</summary>
    public const string OriginName = "reference.conf";

    private static readonly Lazy<string> EmbeddedText = new(() =>
    {
        using var stream = typeof(ReferenceConfiguration).Assembly.GetManifestResourceStream(OriginName)
            ?? throw new InvalidOperationException("reference.conf is not embedded in SessionCluster.Actors.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    private static readonly Lazy<HashSet<string>> Keys = new(() =>
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        Collect(HoconParser.Parse(Text, OriginName), string.Empty, keys);
        return keys;
    });

    public static string Text => EmbeddedText.Value;

    /// <summary>A HOCON source of reference.conf, to layer node files over.</summary>
    public static HoconConfigurationSource Source => new() { Text = Text, OriginName = OriginName };

    /// <summary>True if <paramref name="configurationKey"/> (<c>a:b:0</c>) names a setting, or a section or array element of one.</summary>
    public static bool IsKnown(string configurationKey) =>
        Keys.Value.Contains(string.Join(':', configurationKey.Split(':').Where(segment => !segment.All(char.IsAsciiDigit))));

    private static void Collect(HoconObject node, string prefix, HashSet<string> keys)
    {
        foreach (var (name, value) in node.Fields)
        {
            var key = prefix.Length == 0 ? name : prefix + ":" + name;
            keys.Add(key);
            if (value is HoconObject child)
            {
                Collect(child, key, keys);
            }
        }
    }
}
