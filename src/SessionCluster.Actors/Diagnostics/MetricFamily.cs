using System.Text;

namespace SessionCluster.Actors.Diagnostics;

/// <summary>One instrument's aggregate and its exposition as one Prometheus metric family.</summary>
internal abstract class MetricFamily(string name, string help, string type)
{
    /// <summary>The Prometheus family name (<c>sessioncluster_http_requests_total</c>).</summary>
    public string Name { get; } = name;

    public string Help { get; } = help;

    /// <summary><c>counter</c>, <c>gauge</c> or <c>histogram</c>.</summary>
    public string Type { get; } = type;

    /// <summary>A measurement from the instrument, on whatever thread made it.</summary>
    public abstract void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags);

    /// <summary>A collection begins (observable instruments report afresh).</summary>
    public virtual void BeginCollection()
    {
    }

    /// <summary>Writes the HELP and TYPE lines and the samples; nothing when there is no series.</summary>
    public void WriteTo(StringBuilder text)
    {
        var samples = new StringBuilder();
        WriteSamples(samples);
        if (samples.Length == 0)
        {
            return;
        }

        text.Append("# HELP ").Append(Name).Append(' ');
        PrometheusText.AppendHelp(text, Help);
        text.Append('\n').Append("# TYPE ").Append(Name).Append(' ').Append(Type).Append('\n').Append(samples);
    }

    protected abstract void WriteSamples(StringBuilder text);

    /// <summary>One sample line: <c>name{labels} value</c>, the braces left out when there are no labels.</summary>
    protected static void AppendSample(StringBuilder text, string name, string labels, double value)
    {
        text.Append(name);
        if (labels.Length > 0)
        {
            text.Append('{').Append(labels).Append('}');
        }

        text.Append(' ').Append(PrometheusText.Number(value)).Append('\n');
    }
}
