using System.Diagnostics.Metrics;
using SessionCluster.Actors.Diagnostics;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Diagnostics;

/// <summary>The exporter's output, parsed back with a strict reader: families, labels, counters, histograms, gauges.</summary>
/// <remarks>Each test has a meter of its own name, so tests running side by side never see each other's measurements.</remarks>
public sealed class PrometheusCollectorTests : IDisposable
{
    private readonly Meter _meter = new("Test.Collector." + Guid.NewGuid().ToString("N"));
    private readonly PrometheusCollector _collector;

    public PrometheusCollectorTests() => _collector = new PrometheusCollector(_meter.Name);

    public void Dispose()
    {
        _collector.Dispose();
        _meter.Dispose();
    }

    [Fact]
    public void Counter_WithTags_OneFamilyWithTotalSuffixHelpTypeAndASeriesPerLabelSet()
    {
        var counter = _meter.CreateCounter<long>("test.http.requests", "{request}", "Requests answered.");
        KeyValuePair<string, object?>[] ok = [new("route", "/session"), new("status", "2xx")];
        KeyValuePair<string, object?>[] missing = [new("route", "/session"), new("status", "4xx")];

        counter.Add(1, ok);
        counter.Add(2, ok);
        counter.Add(5, missing);
        var text = _collector.Collect();
        var exposition = PrometheusExposition.Parse(text);

        var family = exposition.Families["test_http_requests_total"];
        Assert.Equal("counter", family.Type);
        Assert.Equal("Requests answered.", family.Help);
        Assert.Equal(3, exposition.Value("test_http_requests_total", ("route", "/session"), ("status", "2xx")));
        Assert.Equal(5, exposition.Value("test_http_requests_total", ("route", "/session"), ("status", "4xx")));
        Assert.Equal(2, exposition.Samples.Count);
        Assert.StartsWith("# HELP test_http_requests_total Requests answered.\n# TYPE test_http_requests_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("test_http_requests_total{route=\"/session\",status=\"2xx\"} 3\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Counter_AcrossCollections_NeverDecreasesAndIgnoresNegativeIncrements()
    {
        var counter = _meter.CreateCounter<double>("test.work", "s");
        var seen = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            counter.Add(0.25);
            counter.Add(-10);
            seen.Add(PrometheusExposition.Parse(_collector.Collect()).Value("test_work_seconds_total"));
        }

        Assert.Equal([0.25, 0.5, 0.75, 1.0, 1.25], seen);
    }

    [Fact]
    public void Counter_ManyThreads_TotalIsExact()
    {
        var counter = _meter.CreateCounter<long>("test.parallel");
        KeyValuePair<string, object?>[] tags = [new("k", "v")];

        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                counter.Add(1, tags);
            }
        });

        Assert.Equal(80_000, PrometheusExposition.Parse(_collector.Collect()).Value("test_parallel_total", ("k", "v")));
        Assert.Equal(80_000, _collector.Total("test.parallel"));
    }

    [Fact]
    public void Tags_SameSetInAnotherOrder_OneSeriesWithSortedLabels()
    {
        var counter = _meter.CreateCounter<long>("test.ordered");

        counter.Add(1, new KeyValuePair<string, object?>("b", "2"), new KeyValuePair<string, object?>("a", "1"));
        counter.Add(1, new KeyValuePair<string, object?>("a", "1"), new KeyValuePair<string, object?>("b", "2"));
        var text = _collector.Collect();

        Assert.Contains("test_ordered_total{a=\"1\",b=\"2\"} 2\n", text, StringComparison.Ordinal);
        Assert.Single(PrometheusExposition.Parse(text).Samples);
    }

    [Fact]
    public void LabelValues_QuotesBackslashesLineFeedsAndUnicode_EscapedAndParseBackUnchanged()
    {
        var counter = _meter.CreateCounter<long>("test.escaping");
        const string nasty = "a \"quoted\" C:\\path\\ and\na new line, {braces}=, ünïcødé";

        counter.Add(1, new KeyValuePair<string, object?>("value", nasty), new KeyValuePair<string, object?>("bad-key.name", 7));
        var text = _collector.Collect();
        var sample = Assert.Single(PrometheusExposition.Parse(text).Samples);

        Assert.Contains("value=\"a \\\"quoted\\\" C:\\\\path\\\\ and\\na new line, {braces}=, ünïcødé\"", text, StringComparison.Ordinal);
        Assert.Equal(nasty, sample.Labels["value"]);
        Assert.Equal("7", sample.Labels["bad_key_name"]);
    }

    [Fact]
    public void Help_BackslashAndLineFeed_Escaped()
    {
        _meter.CreateCounter<long>("test.help", description: "first line\nsecond \\ line \"quoted\"").Add(1);

        var text = _collector.Collect();

        Assert.Contains("# HELP test_help_total first line\\nsecond \\\\ line \"quoted\"\n", text, StringComparison.Ordinal);
        Assert.Equal("first line\nsecond \\ line \"quoted\"", PrometheusExposition.Parse(text).Families["test_help_total"].Help);
    }

    [Fact]
    public void Histogram_AdvisedBounds_BucketsCumulativeBoundaryValueInItsBucketCountAndSum()
    {
        var histogram = _meter.CreateHistogram("test.latency", "s", "Latency.", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.01, 0.1, 1] });
        KeyValuePair<string, object?>[] tags = [new("route", "/x")];

        foreach (var value in (double[])[0.0005, 0.001, 0.003, 0.05, 0.05, 0.7, 42])
        {
            histogram.Record(value, tags);
        }

        var exposition = PrometheusExposition.Parse(_collector.Collect());

        Assert.Equal("histogram", exposition.Families["test_latency_seconds"].Type);
        double Bucket(string le) => exposition.Value("test_latency_seconds_bucket", ("route", "/x"), ("le", le));
        Assert.Equal(2, Bucket("0.001")); // 0.0005 and 0.001 itself: le means "less or equal"
        Assert.Equal(3, Bucket("0.01"));
        Assert.Equal(5, Bucket("0.1"));
        Assert.Equal(6, Bucket("1"));
        Assert.Equal(7, Bucket("+Inf"));
        Assert.Equal(7, exposition.Value("test_latency_seconds_count", ("route", "/x")));
        Assert.Equal(0.0005 + 0.001 + 0.003 + 0.05 + 0.05 + 0.7 + 42, exposition.Value("test_latency_seconds_sum", ("route", "/x")), 9);
    }

    [Fact]
    public void Histogram_NoAdvice_DefaultBoundsAndNoLabels()
    {
        _meter.CreateHistogram<long>("test.sizes", "By").Record(300);

        var exposition = PrometheusExposition.Parse(_collector.Collect());

        Assert.Equal(0, exposition.Value("test_sizes_bytes_bucket", ("le", "250")));
        Assert.Equal(1, exposition.Value("test_sizes_bytes_bucket", ("le", "500")));
        Assert.Equal(1, exposition.Value("test_sizes_bytes_count"));
        Assert.Equal(300, exposition.Value("test_sizes_bytes_sum"));
    }

    [Fact]
    public void ObservableGauge_ReadAtEachCollection_SeriesNoLongerReportedLeaveTheOutput()
    {
        var readings = new List<Measurement<int>> { new(3, new KeyValuePair<string, object?>("node", "a")), new(4, new KeyValuePair<string, object?>("node", "b")) };
        _meter.CreateObservableGauge("test.shards", () => readings.ToArray(), "{shard}", "Shards.");

        var first = PrometheusExposition.Parse(_collector.Collect());
        readings = [new(5, new KeyValuePair<string, object?>("node", "a"))];
        var second = PrometheusExposition.Parse(_collector.Collect());

        Assert.Equal("gauge", first.Families["test_shards"].Type);
        Assert.Equal(3, first.Value("test_shards", ("node", "a")));
        Assert.Equal(4, first.Value("test_shards", ("node", "b")));
        Assert.Equal(5, second.Value("test_shards", ("node", "a")));
        Assert.Null(second.Find("test_shards", ("node", "b")));
    }

    [Fact]
    public void ObservableCounterAndUpDownCounter_CounterTotalAndGauge()
    {
        _meter.CreateObservableCounter("test.cpu", () => 12.5, "s");
        var upDown = _meter.CreateUpDownCounter<int>("test.queue", "{item}");
        upDown.Add(5);
        upDown.Add(-2);

        var exposition = PrometheusExposition.Parse(_collector.Collect());

        Assert.Equal("counter", exposition.Families["test_cpu_seconds_total"].Type);
        Assert.Equal(12.5, exposition.Value("test_cpu_seconds_total"));
        Assert.Equal("gauge", exposition.Families["test_queue"].Type);
        Assert.Equal(3, exposition.Value("test_queue"));
    }

    [Fact]
    public void Record_LabelSetSeenBefore_AllocatesNothing()
    {
        var counter = _meter.CreateCounter<long>("test.hot.requests");
        var histogram = _meter.CreateHistogram("test.hot.duration", "s", null, tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SessionClusterMetrics.LatencyBuckets });
        KeyValuePair<string, object?>[] tags = [new("route", "/session"), new("method", "GET"), new("status", "2xx")];
        counter.Add(1, tags);
        histogram.Record(0.001, tags);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            counter.Add(1, tags);
            histogram.Record(0.001 * i, tags);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(10_001, PrometheusExposition.Parse(_collector.Collect()).Value("test_hot_requests_total", ("route", "/session"), ("method", "GET"), ("status", "2xx")));
    }

    [Fact]
    public void Instrument_NothingRecorded_NoFamily()
    {
        _meter.CreateCounter<long>("test.silent");

        Assert.Equal(string.Empty, _collector.Collect());
    }

    [Fact]
    public void OtherMeters_NotExported()
    {
        using var other = new Meter("Test.Other." + Guid.NewGuid().ToString("N"));
        other.CreateCounter<long>("test.elsewhere").Add(1);
        _meter.CreateCounter<long>("test.here").Add(1);

        var exposition = PrometheusExposition.Parse(_collector.Collect());

        Assert.Equal(["test_here_total"], exposition.Families.Keys);
    }
}
