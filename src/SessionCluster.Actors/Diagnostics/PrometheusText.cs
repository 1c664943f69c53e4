using System.Globalization;
using System.Text;

namespace SessionCluster.Actors.Diagnostics;

/// <summary>The lexical rules of the Prometheus text exposition format 0.0.4: metric and label names, escaping, numbers.</summary>
/// <remarks>Instrument names are dotted (<c>sessioncluster.http.request.duration</c>, unit <c>s</c>); Prometheus names
/// are <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c> with the unit as a suffix and counters ending in <c>_total</c>
/// (<c>sessioncluster_http_request_duration_seconds</c>), following the OpenTelemetry-to-Prometheus conventions.</remarks>
public static class PrometheusText
{
    /// <summary>The exposition's content type.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>The Prometheus family name of an instrument: sanitized, unit suffixed, counters ending in <c>_total</c>.</summary>
    public static string MetricName(string instrumentName, string? unit, bool isCounter)
    {
        ArgumentNullException.ThrowIfNull(instrumentName);
        var name = Sanitize(instrumentName, allowColon: true);
        if (UnitSuffix(unit) is { Length: > 0 } suffix && !name.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            name += "_" + suffix;
        }

        if (isCounter && !name.EndsWith("_total", StringComparison.Ordinal))
        {
            name += "_total";
        }

        return name;
    }

    /// <summary>A label name: <c>[a-zA-Z_][a-zA-Z0-9_]*</c>, anything else replaced by '_'.</summary>
    public static string LabelName(string key) => Sanitize(key, allowColon: false);

    /// <summary>A label value between its double quotes: backslash, double quote and line feed escaped.</summary>
    public static void AppendLabelValue(StringBuilder text, string value)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(value);
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => text.Append(@"\\"),
                '"' => text.Append("\\\""),
                '\n' => text.Append(@"\n"),
                _ => text.Append(c),
            };
        }
    }

    /// <summary>HELP text: backslash and line feed escaped (double quotes stay as they are).</summary>
    public static void AppendHelp(StringBuilder text, string help)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(help);
        foreach (var c in help)
        {
            _ = c switch
            {
                '\\' => text.Append(@"\\"),
                '\n' => text.Append(@"\n"),
                _ => text.Append(c),
            };
        }
    }

    /// <summary>A sample value or bucket bound: shortest round-trip form, <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.</summary>
    public static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A tag value as label text: strings as they are, numbers and booleans in invariant form.</summary>
    public static string LabelText(object? value) => value switch
    {
        null => string.Empty,
        string text => text,
        bool flag => flag ? "true" : "false",
        double number => Number(number),
        float number => Number(number),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>The name suffix for a UCUM unit: <c>s</c> → seconds, <c>By</c> → bytes; annotations (<c>{request}</c>) add nothing.</summary>
    private static string UnitSuffix(string? unit) => unit switch
    {
        null or "" or "1" => string.Empty,
        "s" => "seconds",
        "ms" => "milliseconds",
        "us" => "microseconds",
        "ns" => "nanoseconds",
        "min" => "minutes",
        "h" => "hours",
        "By" => "bytes",
        "KiBy" => "kibibytes",
        "MiBy" => "mebibytes",
        "%" => "percent",
        _ when unit.StartsWith('{') => string.Empty,
        _ => Sanitize(unit.ToLowerInvariant(), allowColon: false).Trim('_'),
    };

    private static string Sanitize(string name, bool allowColon)
    {
        var text = new StringBuilder(name.Length + 1);
        var lastUnderscore = false;
        foreach (var c in name)
        {
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' || (allowColon && c == ':');
            var next = ok ? c : '_';
            // Dots become underscores; runs of them collapse, as "a..b" would otherwise read as two separators.
            if (next == '_' && lastUnderscore)
            {
                continue;
            }

            text.Append(next);
            lastUnderscore = next == '_';
        }

        if (text.Length == 0 || char.IsAsciiDigit(text[0]))
        {
            text.Insert(0, '_');
        }

        return text.ToString();
    }
}
