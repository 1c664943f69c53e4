using Microsoft.Extensions.Configuration;
using SessionCluster.Hocon;

namespace SessionCluster.Actors.Hosting;

/// <summary>Reads typed settings under <c>session-cluster</c>; every error names the key path and where it was set.</summary>
internal sealed class SettingsReader(IConfiguration configuration)
{
    /// <summary>Fails on the first key under <c>session-cluster</c> that reference.conf does not define (a typo, usually).</summary>
    public void RejectUnknownKeys()
    {
        foreach (var (key, _) in configuration.GetSection(SessionClusterSettings.Root).AsEnumerable())
        {
            if (!ReferenceConfiguration.IsKnown(key))
            {
                throw new SettingsException($"{Where(key)}Unknown setting {Display(key)}: hocon/reference.conf lists every setting.");
            }
        }
    }

    public string String(string path, bool allowEmpty = false, bool mustBeToken = false)
    {
        var value = Raw(path);
        if (!allowEmpty && value.Length == 0)
        {
            throw Invalid(path, "a non-empty string", value);
        }

        if (mustBeToken && value.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.')))
        {
            throw Invalid(path, "letters, digits, '-', '_' or '.' only", value);
        }

        return value;
    }

    public IReadOnlyList<string> StringList(string path, IReadOnlyCollection<string> allowed)
    {
        var section = configuration.GetSection(Key(path));
        var children = section.GetChildren().OrderBy(child => int.TryParse(child.Key, out var index) ? index : int.MaxValue).ToList();
        foreach (var child in children)
        {
            if (!allowed.Contains(child.Value ?? string.Empty, StringComparer.Ordinal))
            {
                // The element's own origin: the list may have been set by another layer than its default.
                throw new SettingsException(
                    $"{Where(child.Path)}{Display(Key(path))}: expected a list of {string.Join(", ", allowed)}, got '{child.Value}'.");
            }
        }

        return [.. children.Select(child => child.Value ?? string.Empty)];
    }

    public TimeSpan Duration(string path, bool allowZero)
    {
        var value = Raw(path);
        if (!HoconDuration.TryParse(value, out var duration) || duration < TimeSpan.Zero || (!allowZero && duration == TimeSpan.Zero))
        {
            throw Invalid(path, allowZero ? "a duration such as 30m, 5s or 200ms (0s allowed)" : "a positive duration such as 30m, 5s or 200ms", value);
        }

        return duration;
    }

    public int Size(string path, int min, int max)
    {
        var value = Raw(path);
        if (!HoconSize.TryParse(value, out var size) || size < min || size > max)
        {
            throw Invalid(path, $"a size such as 64KiB or 1MiB, from {min} to {max} bytes", value);
        }

        return (int)size;
    }

    public int Int(string path, int min, int max)
    {
        var value = Raw(path);
        if (!int.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number) || number < min || number > max)
        {
            throw Invalid(path, $"an integer from {min} to {max}", value);
        }

        return number;
    }

    private static string Key(string path) => SessionClusterSettings.Root + ":" + path.Replace('.', ':');

    private static string Display(string key) => key.Replace(':', '.');

    private string Raw(string path) =>
        configuration[Key(path)] ?? throw new SettingsException($"Setting {Display(Key(path))} is missing; hocon/reference.conf should define it.");

    private SettingsException Invalid(string path, string expected, string actual) =>
        new($"{Where(Key(path))}{Display(Key(path))}: expected {expected}, got '{actual}'.");

    /// <summary>"file:line:column: " when a HOCON file set the key; empty when the environment or command line did.</summary>
    private string Where(string key) =>
        configuration is IConfigurationRoot root && HoconOrigins.Find(root, key) is { } origin ? origin + ": " : string.Empty;
}
