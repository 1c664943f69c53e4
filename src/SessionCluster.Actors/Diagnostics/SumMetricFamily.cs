using System.Text;

namespace SessionCluster.Actors.Diagnostics;

/// <summary>A counter (monotonic: negative increments are ignored) or an up-down counter (exposed as a gauge): the sum of
/// every increment since the exporter started listening.</summary>
internal sealed class SumMetricFamily(string name, string help, bool monotonic)
    : MetricFamily(name, help, monotonic ? "counter" : "gauge")
{
    private readonly MetricSeriesTable<Accumulator> _series = new(static () => new Accumulator());

    public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (double.IsNaN(value) || (monotonic && value < 0))
        {
            return;
        }

        _series.Get(tags).Add(value);
    }

    /// <summary>The sum over every series.</summary>
    public double Total() => _series.Series().Sum(series => series.Series.Value);

    protected override void WriteSamples(StringBuilder text)
    {
        foreach (var (labels, series) in _series.Series())
        {
            AppendSample(text, Name, labels, series.Value);
        }
    }

    private sealed class Accumulator
    {
        private double _value;

        public double Value => Volatile.Read(ref _value);

        public void Add(double delta)
        {
            // Compare-and-swap on the double: lock-free, and uncontended in practice (one series per route and status).
            var seen = Volatile.Read(ref _value);
            while (true)
            {
                var was = Interlocked.CompareExchange(ref _value, seen + delta, seen);
                if (was.Equals(seen))
                {
                    return;
                }

                seen = was;
            }
        }
    }
}
