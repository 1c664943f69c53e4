using System.Diagnostics.Metrics;
using System.Numerics;
using System.Text;

namespace SessionCluster.Actors.Diagnostics;

/// <summary>Our Prometheus exporter: a <see cref="MeterListener"/> that aggregates the measurements of the meters it is
/// given (by default <see cref="SessionClusterMetrics.MeterName"/>) and writes them in the text exposition format 0.0.4.</summary>
/// <remarks>
/// <para>Counters and up-down counters are summed, histograms counted into their buckets (the instrument's advised
/// bounds, else OpenTelemetry's defaults), synchronous gauges keep their last value; observable instruments are read
/// at each <see cref="Collect"/>. It sees only measurements made after it starts listening, so a host creates it at
/// start-up, not on the first scrape.</para>
/// <para>Recording is lock-free and allocation-free once a label set has been seen (see <see cref="MetricSeriesTable{TSeries}"/>);
/// collections are serialized. Two instruments whose names sanitize to the same family keep the first one.</para>
/// </remarks>
public sealed class PrometheusCollector : IDisposable
{
    /// <summary>OpenTelemetry's default histogram bounds, for histograms that advise none.</summary>
    private static readonly double[] DefaultBounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly HashSet<string> _meterNames;
    private readonly MeterListener _listener;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MetricFamily> _byInstrument = new(StringComparer.Ordinal);

    /// <param name="meterNames">The meters to export; none given means <see cref="SessionClusterMetrics.MeterName"/>.</param>
    public PrometheusCollector(params string[] meterNames)
    {
        _meterNames = meterNames.Length == 0 ? [SessionClusterMetrics.MeterName] : [.. meterNames];
        _listener = new MeterListener { InstrumentPublished = OnInstrumentPublished };
        _listener.SetMeasurementEventCallback<byte>(OnMeasurement);
        _listener.SetMeasurementEventCallback<short>(OnMeasurement);
        _listener.SetMeasurementEventCallback<int>(OnMeasurement);
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.SetMeasurementEventCallback<float>(OnMeasurement);
        _listener.SetMeasurementEventCallback<double>(OnMeasurement);
        _listener.SetMeasurementEventCallback<decimal>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>Reads the observable instruments and writes every family with a series, in name order.</summary>
    public string Collect()
    {
        lock (_gate)
        {
            foreach (var family in _families.Values)
            {
                family.BeginCollection();
            }

            _listener.RecordObservableInstruments();
            var text = new StringBuilder(4096);
            foreach (var family in _families.Values.OrderBy(family => family.Name, StringComparer.Ordinal))
            {
                family.WriteTo(text);
            }

            return text.ToString();
        }
    }

    /// <summary>The sum over every series of a counter or up-down counter named <paramref name="instrumentName"/>
    /// (its dotted name), or 0 when it has recorded nothing.</summary>
    public double Total(string instrumentName)
    {
        lock (_gate)
        {
            return _byInstrument.TryGetValue(instrumentName, out var family) && family is SumMetricFamily sum ? sum.Total() : 0;
        }
    }

    public void Dispose() => _listener.Dispose();

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (!_meterNames.Contains(instrument.Meter.Name))
        {
            return;
        }

        MetricFamily family;
        lock (_gate)
        {
            if (Create(instrument) is not { } created || _families.ContainsKey(created.Name))
            {
                return;
            }

            family = created;
            _families.Add(family.Name, family);
            _byInstrument[instrument.Name] = family;
        }

        listener.EnableMeasurementEvents(instrument, family);
    }

    private static void OnMeasurement<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        where T : struct, INumberBase<T>
    {
        if (state is MetricFamily family)
        {
            family.Record(double.CreateSaturating(value), tags);
        }
    }

    private static MetricFamily? Create(Instrument instrument)
    {
        var help = string.IsNullOrWhiteSpace(instrument.Description) ? instrument.Name : instrument.Description;
        var kind = instrument.GetType().IsGenericType ? instrument.GetType().GetGenericTypeDefinition() : instrument.GetType();
        string Name(bool counter) => PrometheusText.MetricName(instrument.Name, instrument.Unit, counter);
        if (kind == typeof(Counter<>))
        {
            return new SumMetricFamily(Name(counter: true), help, monotonic: true);
        }

        if (kind == typeof(UpDownCounter<>))
        {
            return new SumMetricFamily(Name(counter: false), help, monotonic: false);
        }

        if (kind == typeof(Histogram<>))
        {
            return new HistogramMetricFamily(Name(counter: false), help, AdvisedBounds(instrument) ?? DefaultBounds);
        }

        if (kind == typeof(ObservableCounter<>))
        {
            return new LastValueMetricFamily(Name(counter: true), help, "counter", observable: true);
        }

        if (kind == typeof(ObservableGauge<>) || kind == typeof(ObservableUpDownCounter<>))
        {
            return new LastValueMetricFamily(Name(counter: false), help, "gauge", observable: true);
        }

        if (kind == typeof(Gauge<>))
        {
            return new LastValueMetricFamily(Name(counter: false), help, "gauge", observable: false);
        }

        return null;
    }

    private static IEnumerable<double>? AdvisedBounds(Instrument instrument) => instrument switch
    {
        Histogram<double> histogram => histogram.Advice?.HistogramBucketBoundaries,
        Histogram<float> histogram => histogram.Advice?.HistogramBucketBoundaries?.Select(bound => (double)bound),
        Histogram<long> histogram => histogram.Advice?.HistogramBucketBoundaries?.Select(bound => (double)bound),
        Histogram<int> histogram => histogram.Advice?.HistogramBucketBoundaries?.Select(bound => (double)bound),
        _ => null,
    };
}
