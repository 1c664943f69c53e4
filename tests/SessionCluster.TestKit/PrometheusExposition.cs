using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SessionCluster.TestKit;

/// <summary>A strict reader of the Prometheus text exposition format 0.0.4, written from the format's description (not
/// from our exporter), so that tests can parse a <c>/metrics</c> body back and fail on anything a scraper would reject
/// or misread.</summary>
/// <remarks>It checks: line syntax (names, label escapes <c>\\</c> <c>\"</c> <c>\n</c> only, numbers incl. <c>+Inf</c>),
/// one HELP and one TYPE per family, both before its samples, a family's samples contiguous, no repeated series,
/// sample names matching their family's type (<c>_bucket</c>/<c>_sum</c>/<c>_count</c> for histograms), counters not
/// negative, and each histogram series' buckets cumulative and ending in <c>le="+Inf"</c> equal to <c>_count</c>.</remarks>
public sealed partial class PrometheusExposition
{
    private static readonly HashSet<string> Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    private PrometheusExposition(IReadOnlyDictionary<string, PrometheusFamily> families, IReadOnlyList<PrometheusSample> samples)
    {
        Families = families;
        Samples = samples;
    }

    public IReadOnlyDictionary<string, PrometheusFamily> Families { get; }

    public IReadOnlyList<PrometheusSample> Samples { get; }

    /// <summary>Parses and validates <paramref name="text"/>; throws <see cref="FormatException"/> naming the line.</summary>
    public static PrometheusExposition Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            throw new FormatException("The exposition does not end with a line feed.");
        }

        var help = new Dictionary<string, string>(StringComparer.Ordinal);
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var samples = new List<PrometheusSample>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var finished = new HashSet<string>(StringComparer.Ordinal);
        var withSamples = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        var lines = text.Split('\n');
        for (var index = 0; index < lines.Length - 1; index++)
        {
            var line = lines[index];
            var where = $"line {index + 1} '{line}'";
            if (line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var rest = line[7..];
                var space = rest.IndexOf(' ', StringComparison.Ordinal);
                var name = space < 0 ? rest : rest[..space];
                var value = space < 0 ? string.Empty : rest[(space + 1)..];
                Require(MetricName().IsMatch(name), where, "bad metric name");
                Require(!withSamples.Contains(name), where, "HELP or TYPE after the family's samples");
                if (line[2] == 'H')
                {
                    Require(help.TryAdd(name, UnescapeHelp(value, where)), where, "a second HELP for the family");
                }
                else
                {
                    Require(Types.Contains(value), where, $"unknown type '{value}'");
                    Require(types.TryAdd(name, value), where, "a second TYPE for the family");
                }

                continue;
            }

            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var sample = ParseSample(line, where);
            var family = FamilyOf(sample.Name, types);
            Require(family is not null, where, "a sample with no TYPE line before it");
            Require(family == current || !finished.Contains(family!), where, $"the samples of {family} are not contiguous");
            if (current is not null && current != family)
            {
                finished.Add(current);
            }

            current = family;
            withSamples.Add(family!);
            Require(seen.Add(sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}"), where, "a repeated series");
            Require(types[family!] != "counter" || sample.Value >= 0, where, "a negative counter");
            samples.Add(sample with { Family = family! });
        }

        var families = types.ToDictionary(
            entry => entry.Key,
            entry => new PrometheusFamily(entry.Key, entry.Value, help.GetValueOrDefault(entry.Key)),
            StringComparer.Ordinal);
        CheckHistograms(families.Values.Where(family => family.Type == "histogram"), samples);
        return new PrometheusExposition(families, samples);
    }

    /// <summary>The value of the sample named <paramref name="name"/> with exactly <paramref name="labels"/>, or null.</summary>
    public double? Find(string name, params (string Name, string Value)[] labels) =>
        Samples.FirstOrDefault(sample => sample.Name == name && sample.Labels.Count == labels.Length &&
            labels.All(label => sample.Labels.TryGetValue(label.Name, out var value) && value == label.Value))?.Value;

    /// <summary>As <see cref="Find"/>, but a missing sample fails with the samples of that name that exist.</summary>
    public double Value(string name, params (string Name, string Value)[] labels) =>
        Find(name, labels) ?? throw new InvalidOperationException(
            $"No sample {name}{{{string.Join(",", labels.Select(l => $"{l.Name}=\"{l.Value}\""))}}}; samples of that name: " +
            string.Join("; ", Samples.Where(s => s.Name == name).Select(s => string.Join(",", s.Labels.Select(l => $"{l.Key}=\"{l.Value}\"")))));

    private static string? FamilyOf(string sampleName, Dictionary<string, string> types)
    {
        if (types.ContainsKey(sampleName))
        {
            return types[sampleName] == "histogram" ? null : sampleName;
        }

        foreach (var suffix in (string[])["_bucket", "_sum", "_count"])
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal) &&
                types.TryGetValue(sampleName[..^suffix.Length], out var type) && type is "histogram" or "summary")
            {
                return sampleName[..^suffix.Length];
            }
        }

        return null;
    }

    private static void CheckHistograms(IEnumerable<PrometheusFamily> histograms, List<PrometheusSample> samples)
    {
        foreach (var histogram in histograms)
        {
            var series = samples.Where(s => s.Family == histogram.Name)
                .GroupBy(s => string.Join(",", s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")));
            foreach (var one in series)
            {
                var what = $"histogram {histogram.Name}{{{one.Key}}}";
                var buckets = one.Where(s => s.Name == histogram.Name + "_bucket")
                    .Select(s => (Le: ParseNumber(s.Labels.TryGetValue("le", out var le) ? le : throw new FormatException($"{what}: a bucket without le"), what), s.Value))
                    .ToList();
                Require(buckets.Count > 0 && double.IsPositiveInfinity(buckets[^1].Le), what, "no le=\"+Inf\" bucket last");
                for (var i = 1; i < buckets.Count; i++)
                {
                    Require(buckets[i].Le > buckets[i - 1].Le, what, "bucket bounds not increasing");
                    Require(buckets[i].Value >= buckets[i - 1].Value, what, $"buckets not cumulative at le={buckets[i].Le}");
                }

                var count = one.SingleOrDefault(s => s.Name == histogram.Name + "_count") ?? throw new FormatException($"{what}: no _count");
                Require(one.Any(s => s.Name == histogram.Name + "_sum"), what, "no _sum");
                Require(count.Value == buckets[^1].Value, what, $"_count {count.Value} differs from the +Inf bucket {buckets[^1].Value}");
            }
        }
    }

    private static PrometheusSample ParseSample(string line, string where)
    {
        var name = MetricNameAtStart().Match(line);
        Require(name.Success, where, "bad metric name");
        var position = name.Length;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (position < line.Length && line[position] == '{')
        {
            position++;
            while (true)
            {
                Require(position < line.Length, where, "unterminated label set");
                if (line[position] == '}')
                {
                    break;
                }

                var label = LabelNameAtStart().Match(line[position..]);
                Require(label.Success, where, "bad label name");
                position += label.Length;
                Require(line.Length > position + 1 && line[position] == '=' && line[position + 1] == '"', where, "label without =\"");
                position += 2;
                var value = new StringBuilder();
                while (true)
                {
                    Require(position < line.Length, where, "unterminated label value");
                    var c = line[position++];
                    if (c == '"')
                    {
                        break;
                    }

                    if (c == '\\')
                    {
                        Require(position < line.Length, where, "dangling backslash");
                        value.Append(line[position++] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            var other => throw new FormatException($"{where}: unknown escape \\{other}"),
                        });
                    }
                    else
                    {
                        Require(c != '\n', where, "raw line feed in a label value");
                        value.Append(c);
                    }
                }

                Require(labels.TryAdd(label.Value, value.ToString()), where, $"label {label.Value} twice");
                Require(position < line.Length && line[position] is ',' or '}', where, "expected , or } after a label");
                if (line[position] == ',')
                {
                    position++;
                }
            }

            position++;
        }

        Require(position < line.Length && line[position] == ' ', where, "no space before the value");
        var parts = line[(position + 1)..].Split(' ');
        Require(parts.Length is 1 or 2, where, "expected a value and at most a timestamp");
        return new PrometheusSample(name.Value, labels, ParseNumber(parts[0], where));
    }

    private static double ParseNumber(string text, string where) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && !text.Contains(',', StringComparison.Ordinal) => value,
        _ => throw new FormatException($"{where}: '{text}' is not a number"),
    };

    private static string UnescapeHelp(string text, string where)
    {
        var result = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                result.Append(text[i]);
                continue;
            }

            Require(i + 1 < text.Length, where, "dangling backslash in HELP");
            result.Append(text[++i] switch
            {
                '\\' => '\\',
                'n' => '\n',
                var other => throw new FormatException($"{where}: unknown escape \\{other} in HELP"),
            });
        }

        return result.ToString();
    }

    private static void Require(bool condition, string where, string problem)
    {
        if (!condition)
        {
            throw new FormatException($"{where}: {problem}");
        }
    }

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex MetricNameAtStart();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*")]
    private static partial Regex LabelNameAtStart();
}
