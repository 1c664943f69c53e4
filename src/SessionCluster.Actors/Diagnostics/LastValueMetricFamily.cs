using System.Text;

namespace SessionCluster.Actors.Diagnostics;

/// <summary>A value reported whole, not as increments: an observable gauge or counter (reported at each collection;
/// a series not reported in the latest one is left out) or a synchronous gauge (its last value stands).</summary>
internal sealed class LastValueMetricFamily(string name, string help, string type, bool observable)
    : MetricFamily(name, help, type)
{
    private readonly MetricSeriesTable<Reading> _series = new(static () => new Reading());
    private long _collection;

    public override void BeginCollection() => Interlocked.Increment(ref _collection);

    public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var reading = _series.Get(tags);
        reading.Value = value;
        reading.Collection = Volatile.Read(ref _collection);
    }

    protected override void WriteSamples(StringBuilder text)
    {
        var current = Volatile.Read(ref _collection);
        foreach (var (labels, reading) in _series.Series())
        {
            if (!observable || reading.Collection == current)
            {
                AppendSample(text, Name, labels, reading.Value);
            }
        }
    }

    private sealed class Reading
    {
        private double _value;
        private long _collection = -1;

        public double Value
        {
            get => Volatile.Read(ref _value);
            set => Volatile.Write(ref _value, value);
        }

        public long Collection
        {
            get => Volatile.Read(ref _collection);
            set => Volatile.Write(ref _collection, value);
        }
    }
}
