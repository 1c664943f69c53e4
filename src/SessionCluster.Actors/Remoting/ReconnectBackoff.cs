namespace SessionCluster.Actors.Remoting;

/// <summary>How long a link waits before its next connect attempt: exponential, capped, with a little jitter.</summary>
internal static class ReconnectBackoff
{
    /// <summary>Share of the wait that jitter may take off, so that nodes which lost the same peer at the same moment (a
    /// restarted seed) do not all dial it again in the same instant.</summary>
    public const double JitterShare = 0.2;

    /// <summary>The wait after <paramref name="consecutiveFailures"/> failed attempts in a row (at least one):
    /// <paramref name="min"/> doubled per further failure, capped at <paramref name="max"/>, minus up to
    /// <see cref="JitterShare"/> of it as <paramref name="jitter"/> (0–1) says.</summary>
    public static TimeSpan Delay(int consecutiveFailures, TimeSpan min, TimeSpan max, double jitter)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(consecutiveFailures);
        var doublings = Math.Min(consecutiveFailures - 1, 30);
        var ticks = Math.Min((double)min.Ticks * Math.Pow(2, doublings), max.Ticks);
        return TimeSpan.FromTicks((long)(ticks * (1 - JitterShare * Math.Clamp(jitter, 0, 1))));
    }
}
