using SessionCluster.Actors.Diagnostics;

namespace SessionCluster.Actors.Tests.Diagnostics;

/// <summary>Instrument names to Prometheus names, and number formatting.</summary>
public sealed class PrometheusTextTests
{
    [Theory]
    [InlineData("sessioncluster.http.request.duration", "s", false, "sessioncluster_http_request_duration_seconds")]
    [InlineData("sessioncluster.http.requests", "{request}", true, "sessioncluster_http_requests_total")]
    [InlineData("sessioncluster.process.memory.working_set", "By", false, "sessioncluster_process_memory_working_set_bytes")]
    [InlineData("sessioncluster.process.cpu.time", "s", true, "sessioncluster_process_cpu_time_seconds_total")]
    [InlineData("queue.wait_seconds", "s", false, "queue_wait_seconds")]
    [InlineData("jobs.total", null, true, "jobs_total")]
    [InlineData("ratio", "1", false, "ratio")]
    [InlineData("a..b--c d", "", false, "a_b_c_d")]
    [InlineData("9lives", null, false, "_9lives")]
    [InlineData("ns:metric", "ms", false, "ns:metric_milliseconds")]
    [InlineData("speed", "m/s", false, "speed_m_s")]
    public void MetricName_DottedInstrumentAndUnit_PrometheusName(string instrument, string? unit, bool counter, string expected) =>
        Assert.Equal(expected, PrometheusText.MetricName(instrument, unit, counter));

    [Theory]
    [InlineData("route", "route")]
    [InlineData("http.route", "http_route")]
    [InlineData("a:b", "a_b")]
    [InlineData("1st", "_1st")]
    public void LabelName_InvalidCharacters_Replaced(string key, string expected) => Assert.Equal(expected, PrometheusText.LabelName(key));

    [Theory]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e21, "1E+21")]
    [InlineData(-3.0, "-3")]
    public void Number_SpecialAndOrdinaryValues(double value, string expected) => Assert.Equal(expected, PrometheusText.Number(value));
}
