using System.Text;

namespace SessionCluster.Actors.Diagnostics;

/// <summary>A histogram with fixed bucket bounds, exposed with cumulative <c>_bucket{le=...}</c> counts, <c>_sum</c> and
/// <c>_count</c>. A value falls in the first bucket whose bound is at least the value ("less or equal", as <c>le</c> says).</summary>
internal sealed class HistogramMetricFamily : MetricFamily
{
    private readonly double[] _bounds;
    private readonly string[] _boundText;
    private readonly MetricSeriesTable<Buckets> _series;

    public HistogramMetricFamily(string name, string help, IEnumerable<double> bounds)
        : base(name, help, "histogram")
    {
        _bounds = [.. bounds.Where(bound => !double.IsNaN(bound) && !double.IsInfinity(bound)).Distinct().Order()];
        _boundText = [.. _bounds.Select(PrometheusText.Number)];
        var count = _bounds.Length + 1;
        _series = new MetricSeriesTable<Buckets>(() => new Buckets(count));
    }

    public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (double.IsNaN(value))
        {
            return;
        }

        var index = Array.BinarySearch(_bounds, value);
        _series.Get(tags).Add(index >= 0 ? index : ~index, value);
    }

    protected override void WriteSamples(StringBuilder text)
    {
        var bucket = Name + "_bucket";
        foreach (var (labels, series) in _series.Series())
        {
            var prefix = labels.Length > 0 ? labels + "," : string.Empty;
            long cumulative = 0;
            for (var i = 0; i < _bounds.Length; i++)
            {
                cumulative += series.CountAt(i);
                AppendSample(text, bucket, prefix + "le=\"" + _boundText[i] + "\"", cumulative);
            }

            // The count is the +Inf bucket, read from the same counters, so the two always agree.
            cumulative += series.CountAt(_bounds.Length);
            AppendSample(text, bucket, prefix + "le=\"+Inf\"", cumulative);
            AppendSample(text, Name + "_sum", labels, series.Sum);
            AppendSample(text, Name + "_count", labels, cumulative);
        }
    }

    private sealed class Buckets(int count)
    {
        private readonly long[] _counts = new long[count];
        private double _sum;

        public double Sum => Volatile.Read(ref _sum);

        public long CountAt(int bucket) => Interlocked.Read(ref _counts[bucket]);

        public void Add(int bucket, double value)
        {
            Interlocked.Increment(ref _counts[bucket]);
            var seen = Volatile.Read(ref _sum);
            while (true)
            {
                var was = Interlocked.CompareExchange(ref _sum, seen + value, seen);
                if (was.Equals(seen))
                {
                    return;
                }

                seen = was;
            }
        }
    }
}
