namespace SessionCluster.Actors.Membership;

// Design notes: why phi accrual over SWIM + Lifeguard.
//
// SWIM (memberlist) probes one random node per period, asks k others to probe indirectly on a miss, and spreads
// suspicion that a Lifeguard timer confirms. It scales to thousands of nodes with constant load per node, but its
// verdict is binary per probe period, it needs indirect-probe messages and a suspicion sub-protocol of its own, and
// its "dead" is decided by the suspected node's peers at once — there is no separate, stable-after gated decision.
//
// Our clusters are small (a lighthouse, a front, a few to a few dozen workers), membership already travels by gossip
// with a convergence rule, and the split-brain resolver must be the only place where anyone is downed. That is the
// Akka split: a failure detector only *observes* (reachable / unreachable, recorded in gossip per observer, and
// revocable when heartbeats resume), and downing is a separate decision on a stable picture. Phi accrual fits it:
//   * it adapts to the link: the verdict is a suspicion level computed from the observed inter-arrival mean and
//     deviation, so a jittery link gets more slack without retuning;
//   * the acceptable-heartbeat-pause shifts the curve so a GC pause or a few lost heartbeats never trip it;
//   * it is a pure function of arrival times, which makes it exactly testable with scripted arrivals.
// Each node monitors a bounded set of ring neighbours (see HeartbeatRing), so load per node stays constant.
//
// The math: with mean m and deviation s of recent intervals, and t the time since the last arrival,
//   phi(t) = -log10(P(interval > t)),  interval ~ Normal(m + acceptable pause, max(s, min deviation))
// The normal CDF uses the logistic approximation 1 / (1 + e^(-y(1.5976 + 0.070566 y^2))) (Bowling et al., 2009),
// accurate to about 1e-4 and cheap; phi is then log10(1 + e^(y(...))), kept finite far out in the tail.

/// <summary>The phi accrual failure detector (Hayashibara et al.): suspicion grows continuously with silence, scaled by
/// the observed heartbeat statistics; the node is unreachable once phi reaches the threshold.</summary>
/// <remarks>Not thread-safe: owned by one membership state machine. Arrival times come from the caller.</remarks>
public sealed class PhiAccrualFailureDetector : IFailureDetector
{
    private readonly FailureDetectorSettings _settings;
    private readonly double[] _intervals;
    private int _count;
    private int _next;
    private double _sum;
    private double _sumOfSquares;
    private DateTimeOffset? _last;

    public PhiAccrualFailureDetector(FailureDetectorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings.Validate();
        _intervals = new double[settings.MaxSampleSize];
    }

    public double Threshold => _settings.Threshold;

    /// <summary>The time of the latest heartbeat, or null before the first.</summary>
    public DateTimeOffset? LastHeartbeat => _last;

    /// <summary>Mean of the recorded intervals, in milliseconds.</summary>
    public double MeanMilliseconds => _count == 0 ? 0 : _sum / _count;

    /// <summary>Population standard deviation of the recorded intervals, in milliseconds.</summary>
    public double StdDeviationMilliseconds => _count == 0 ? 0 : Math.Sqrt(Math.Max(0, (_sumOfSquares / _count) - (MeanMilliseconds * MeanMilliseconds)));

    public void Heartbeat(DateTimeOffset arrival)
    {
        if (_last is not { } last)
        {
            // No interval is known yet: seed the history with the estimate (mean e, deviation e/4) so the first real
            // silence is judged against something sensible rather than against nothing.
            var estimate = _settings.FirstHeartbeatEstimate.TotalMilliseconds;
            Record(estimate - (estimate / 4));
            Record(estimate + (estimate / 4));
            _last = arrival;
            return;
        }

        if (arrival <= last)
        {
            return; // Same or out-of-order observation: no new interval, and time never runs backwards here.
        }

        Record((arrival - last).TotalMilliseconds);
        _last = arrival;
    }

    /// <summary>The suspicion level at <paramref name="now"/>; 0 before the first heartbeat (nothing to suspect yet).</summary>
    public double Phi(DateTimeOffset now)
    {
        if (_last is not { } last)
        {
            return 0;
        }

        var mean = MeanMilliseconds + _settings.AcceptableHeartbeatPause.TotalMilliseconds;
        var deviation = Math.Max(StdDeviationMilliseconds, _settings.MinStdDeviation.TotalMilliseconds);
        return PhiOf((now - last).TotalMilliseconds, mean, deviation);
    }

    public bool IsAvailable(DateTimeOffset now) => Phi(now) < _settings.Threshold;

    /// <summary>phi for <paramref name="elapsedMilliseconds"/> of silence given the interval mean and deviation.</summary>
    public static double PhiOf(double elapsedMilliseconds, double meanMilliseconds, double stdDeviationMilliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(stdDeviationMilliseconds, 0);
        var y = (elapsedMilliseconds - meanMilliseconds) / stdDeviationMilliseconds;

        // P(interval > t) = 1 / (1 + e^z) with z = y(1.5976 + 0.070566 y^2), so phi = log10(1 + e^z). Written so that
        // e^z never overflows: a very long silence gives a large finite phi rather than infinity.
        var z = y * (1.5976 + (0.070566 * y * y));
        var nats = z > 30 ? z + Math.Log(1 + Math.Exp(-z)) : Math.Log(1 + Math.Exp(z));
        return nats / Math.Log(10);
    }

    private void Record(double intervalMilliseconds)
    {
        if (_count == _intervals.Length)
        {
            var dropped = _intervals[_next];
            _sum -= dropped;
            _sumOfSquares -= dropped * dropped;
        }
        else
        {
            _count++;
        }

        _intervals[_next] = intervalMilliseconds;
        _next = (_next + 1) % _intervals.Length;
        _sum += intervalMilliseconds;
        _sumOfSquares += intervalMilliseconds * intervalMilliseconds;
    }
}
