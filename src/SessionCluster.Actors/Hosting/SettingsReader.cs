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
        if (!string.IsNullOrEmpty(section.Value))
        {
            // A comma-separated string from the command line or environment wins over the file's array (see AddressList).
            var items = section.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var item in items)
            {
                if (!allowed.Contains(item, StringComparer.Ordinal))
                {
                    throw Invalid(path, "a list of " + string.Join(", ", allowed), item);
                }
            }

            return items;
        }

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

    /// <summary>An error for a value that is valid alone but contradicts another setting; names the key and where it was set.</summary>
    public SettingsException Inconsistent(string path, string reason) =>
        new($"{Where(Key(path))}{Display(Key(path))}: {reason}, got '{Raw(path)}'.");

    /// <summary>A duration of at least <paramref name="atLeast"/> (e.g. an interval that must not be finer than the tick).</summary>
    public TimeSpan Duration(string path, bool allowZero, TimeSpan atLeast)
    {
        var duration = Duration(path, allowZero);
        if (duration < atLeast)
        {
            throw Invalid(path, $"a duration of at least {atLeast.TotalMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}ms", Raw(path));
        }

        return duration;
    }

    /// <summary>A duration, or <c>off</c> (null), or <c>on</c> (<paramref name="whenOn"/>).</summary>
    public TimeSpan? DurationOrSwitch(string path, TimeSpan whenOn)
    {
        var value = Raw(path);
        if (TrySwitch(value, out var on))
        {
            return on ? whenOn : null;
        }

        return Duration(path, allowZero: true);
    }

    public double Double(string path, double min, double max)
    {
        var value = Raw(path);
        if (!double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number) ||
            !double.IsFinite(number) || number < min || number > max)
        {
            throw Invalid(path, $"a number from {min.ToString(System.Globalization.CultureInfo.InvariantCulture)} to {max.ToString(System.Globalization.CultureInfo.InvariantCulture)}", value);
        }

        return number;
    }

    /// <summary>on/off, true/false or yes/no.</summary>
    public bool Boolean(string path)
    {
        var value = Raw(path);
        return TrySwitch(value, out var on) ? on : throw Invalid(path, "on or off", value);
    }

    /// <summary>One of <paramref name="allowed"/>, exactly.</summary>
    public string OneOf(string path, IReadOnlyCollection<string> allowed)
    {
        var value = Raw(path);
        return allowed.Contains(value, StringComparer.Ordinal) ? value : throw Invalid(path, $"one of {string.Join(", ", allowed)}", value);
    }

    /// <summary>A list of <c>host:port</c> node addresses; an element that does not parse is blamed on its own origin.</summary>
    public IReadOnlyList<Remoting.NodeAddress> AddressList(string path)
    {
        var section = configuration.GetSection(Key(path));
        var children = section.GetChildren().OrderBy(child => int.TryParse(child.Key, out var index) ? index : int.MaxValue).ToList();
        if (!string.IsNullOrEmpty(section.Value))
        {
            // A string where a list was expected (e.g. --seeds h:1,h:2): a comma-separated list, the natural form on a
            // command line or in an environment variable. HOCON arrays never give their key a value, so a value here
            // came from those later layers and wins over any array a file set.
            return [.. section.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(text => ParseAddress(section.Path, text))];
        }

        return [.. children.Select(child => ParseAddress(child.Path, child.Value ?? string.Empty))];
    }

    /// <summary>An error for <paramref name="path"/> in the usual form, for checks that span several keys.</summary>
    public SettingsException Rejected(string path, string expected, string actual) => Invalid(path, expected, actual);

    private static string Key(string path) => SessionClusterSettings.Root + ":" + path.Replace('.', ':');

    private static string Display(string key) => key.Replace(':', '.');

    private string Raw(string path) =>
        configuration[Key(path)] ?? throw new SettingsException($"Setting {Display(Key(path))} is missing; hocon/reference.conf should define it.");

    private SettingsException Invalid(string path, string expected, string actual) =>
        new($"{Where(Key(path))}{Display(Key(path))}: expected {expected}, got '{actual}'.");

    private static bool TrySwitch(string value, out bool on)
    {
        switch (value.ToLowerInvariant())
        {
            case "on" or "true" or "yes":
                on = true;
                return true;
            case "off" or "false" or "no":
                on = false;
                return true;
            default:
                on = false;
                return false;
        }
    }

    private Remoting.NodeAddress ParseAddress(string key, string text)
    {
        try
        {
            return Remoting.NodeAddress.Parse(text);
        }
        catch (FormatException)
        {
            throw new SettingsException($"{Where(key)}{Display(key)}: expected host:port, got '{text}'.");
        }
    }

    /// <summary>"file:line:column: " when a HOCON file set the key; empty when the environment or command line did.</summary>
    private string Where(string key) =>
        configuration is IConfigurationRoot root && HoconOrigins.Find(root, key) is { } origin ? origin + ": " : string.Empty;
}
