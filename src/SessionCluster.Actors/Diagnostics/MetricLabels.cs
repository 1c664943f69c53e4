using System.Text;

namespace SessionCluster.Actors.Diagnostics;

/// <summary>One series' tags as a measurement carries them (for matching without allocating) and as Prometheus label
/// text, sorted by label name (for output, and to tell two orders of the same tags apart from two different sets).</summary>
internal sealed class MetricLabels
{
    private readonly KeyValuePair<string, object?>[] _tags;

    private MetricLabels(KeyValuePair<string, object?>[] tags, string text)
    {
        _tags = tags;
        Text = text;
    }

    /// <summary>The labels as written inside braces, without them: <c>method="GET",route="/session"</c>; empty for none.</summary>
    public string Text { get; }

    public static MetricLabels From(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = tags.ToArray();
        var sorted = copy
            .Select(tag => (Name: PrometheusText.LabelName(tag.Key), Value: PrometheusText.LabelText(tag.Value)))
            .OrderBy(label => label.Name, StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (var (name, value) in sorted)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(name).Append("=\"");
            PrometheusText.AppendLabelValue(text, value);
            text.Append('"');
        }

        return new MetricLabels(copy, text.ToString());
    }

    /// <summary>True if <paramref name="tags"/> are these, in the same order; a pre-built tag array matches on reference.</summary>
    public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length != _tags.Length)
        {
            return false;
        }

        for (var i = 0; i < tags.Length; i++)
        {
            var mine = _tags[i];
            var theirs = tags[i];
            if (!ReferenceEquals(mine.Key, theirs.Key) && !string.Equals(mine.Key, theirs.Key, StringComparison.Ordinal))
            {
                return false;
            }

            if (!ReferenceEquals(mine.Value, theirs.Value) && !Equals(mine.Value, theirs.Value))
            {
                return false;
            }
        }

        return true;
    }
}
