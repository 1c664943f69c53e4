namespace SessionCluster.Hocon.Tests;

/// <summary>Renders parsed HOCON as the flattened configuration table, so test expectations stay one line each.</summary>
internal static class FlatTable
{
    public const string Separator = " | ";

    public static string Of(HoconObject document) =>
        string.Join(
            Separator,
            ConfigurationKeyFlattener.Flatten(document)
                .Where(entry => !entry.IsSection)
                .Select(entry => $"{entry.Key}={entry.Value ?? "(null)"}"));

    public static string Parse(string hocon, string? baseDirectory = null) =>
        Of(HoconParser.Parse(hocon, "test.conf", baseDirectory));
}
