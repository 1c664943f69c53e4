using SessionCluster.Actors.Membership;

namespace SessionCluster.Actors.Tests.Membership;

public sealed class PhiAccrualFailureDetectorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly FailureDetectorSettings Settings = ClusterSettings.Default.FailureDetector;

    // PhiOf(t, mean, std) with y = (t - mean) / std: phi = log10(1 + e^z), z = y(1.5976 + 0.070566 y^2). At the mean
    // the tail is 1/2 (log10 2); one and two deviations out the exact normal tails are 0.1587 and 0.02275, i.e.
    // phi 0.7995 and 1.643, which the approximation matches; phi 8 is reached ~5.23 deviations out.
    [Theory]
    [InlineData(1000, 1000, 100, 0.30103)]
    [InlineData(1100, 1000, 100, 0.79951)]
    [InlineData(1200, 1000, 100, 1.64283)]
    [InlineData(1300, 1000, 100, 2.90948)]
    [InlineData(500, 1000, 100, 0.00000)]
    [InlineData(1522.6, 1000, 100, 8.0)]
    public void PhiOf_Table(double elapsed, double mean, double std, double expected) =>
        Assert.Equal(expected, PhiAccrualFailureDetector.PhiOf(elapsed, mean, std), precision: 2);

    [Fact]
    public void PhiOf_LongSilence_IsLargeButFinite()
    {
        var phi = PhiAccrualFailureDetector.PhiOf(3_600_000, 100, 100);

        Assert.True(double.IsFinite(phi) && phi > 1e6, $"phi = {phi}");
    }

    /// <summary>Scripted arrivals: (intervals between heartbeats in ms, silence after the last one in ms, available?).</summary>
    [Theory]
    // Steady 100 ms heartbeats: mean ~109 ms with the seeded estimate, deviation floored at 100 ms, so the threshold is
    // crossed at ~109 + 600 + 523 ≈ 1232 ms of silence.
    [InlineData("100*20", 200, true)]
    [InlineData("100*20", 1000, true)]
    [InlineData("100*20", 1200, true)]
    [InlineData("100*20", 1260, false)]
    [InlineData("100*20", 5000, false)]
    // Only the first heartbeat: judged on the estimate (mean 200 ms), so unreachable after ~200 + 600 + 523 ms.
    [InlineData("", 1300, true)]
    [InlineData("", 1340, false)]
    // Jittery link (intervals 50..550 ms): larger mean and deviation give more slack than the steady link.
    [InlineData("50,550,50,550,50,550,50,550,50,550,50,550", 1800, true)]
    [InlineData("50,550,50,550,50,550,50,550,50,550,50,550", 2500, false)]
    // A lost heartbeat or two in a steady stream does not matter.
    [InlineData("100*10,300,100*10", 700, true)]
    public void IsAvailable_ScriptedArrivals(string intervals, int silenceMs, bool available)
    {
        var detector = new PhiAccrualFailureDetector(Settings);
        var at = T0;
        detector.Heartbeat(at);
        foreach (var interval in Expand(intervals))
        {
            at = at.AddMilliseconds(interval);
            detector.Heartbeat(at);
        }

        var now = at.AddMilliseconds(silenceMs);

        Assert.True(available == detector.IsAvailable(now), $"phi = {detector.Phi(now):0.###}, mean {detector.MeanMilliseconds:0.#}, sd {detector.StdDeviationMilliseconds:0.#}");
    }

    [Fact]
    public void Phi_BeforeAnyHeartbeat_IsZeroAndAvailable()
    {
        var detector = new PhiAccrualFailureDetector(Settings);

        Assert.Equal(0, detector.Phi(T0.AddHours(1)));
        Assert.True(detector.IsAvailable(T0.AddHours(1)));
    }

    [Fact]
    public void Heartbeat_OutOfOrderOrRepeated_IsIgnored()
    {
        var detector = new PhiAccrualFailureDetector(Settings);
        detector.Heartbeat(T0);
        detector.Heartbeat(T0.AddMilliseconds(100));
        var mean = detector.MeanMilliseconds;

        detector.Heartbeat(T0.AddMilliseconds(50));
        detector.Heartbeat(T0.AddMilliseconds(100));

        Assert.Equal(mean, detector.MeanMilliseconds);
        Assert.Equal(T0.AddMilliseconds(100), detector.LastHeartbeat);
    }

    [Fact]
    public void Phi_GrowsMonotonicallyWithSilence()
    {
        var detector = new PhiAccrualFailureDetector(Settings);
        for (var i = 0; i <= 50; i++)
        {
            detector.Heartbeat(T0.AddMilliseconds(i * 100));
        }

        var phis = Enumerable.Range(0, 60).Select(step => detector.Phi(T0.AddMilliseconds(5000 + (step * 50)))).ToList();

        Assert.Equal(phis.Order(), phis);
    }

    [Fact]
    public void History_IsBoundedByMaxSampleSize()
    {
        var detector = new PhiAccrualFailureDetector(Settings with { MaxSampleSize = 10 });
        var at = T0;
        detector.Heartbeat(at);
        for (var i = 0; i < 10; i++)
        {
            at = at.AddMilliseconds(1000);
            detector.Heartbeat(at);
        }

        for (var i = 0; i < 10; i++)
        {
            at = at.AddMilliseconds(100);
            detector.Heartbeat(at);
        }

        Assert.Equal(100, detector.MeanMilliseconds, precision: 6);
        Assert.Equal(0, detector.StdDeviationMilliseconds, precision: 3);
    }

    private static IEnumerable<double> Expand(string script)
    {
        foreach (var part in script.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var pieces = part.Split('*');
            var count = pieces.Length == 2 ? int.Parse(pieces[1], System.Globalization.CultureInfo.InvariantCulture) : 1;
            for (var i = 0; i < count; i++)
            {
                yield return double.Parse(pieces[0], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }
}
