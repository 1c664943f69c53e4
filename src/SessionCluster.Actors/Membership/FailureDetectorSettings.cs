namespace SessionCluster.Actors.Membership;

/// <summary>Tuning of the <see cref="PhiAccrualFailureDetector"/>; see <see cref="ClusterSettings.Default"/> for why
/// each default is what it is.</summary>
/// <param name="Threshold">Suspicion level (phi) at which a node is declared unreachable; 8 means "odds of a false
/// alarm about 1 in 10^8 if inter-arrival times were normal".</param>
/// <param name="MaxSampleSize">How many recent inter-arrival intervals the statistics keep.</param>
/// <param name="MinStdDeviation">Floor on the standard deviation, so a very regular link (loopback) does not make the
/// detector hair-triggered.</param>
/// <param name="AcceptableHeartbeatPause">Silence tolerated on top of the mean interval (GC pauses, scheduling
/// hiccups) before suspicion starts to rise.</param>
/// <param name="FirstHeartbeatEstimate">Assumed mean interval before any real one is known.</param>
public sealed record FailureDetectorSettings(
    double Threshold,
    int MaxSampleSize,
    TimeSpan MinStdDeviation,
    TimeSpan AcceptableHeartbeatPause,
    TimeSpan FirstHeartbeatEstimate)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first out-of-range field.</summary>
    public FailureDetectorSettings Validate()
    {
        if (!(Threshold > 0) || double.IsInfinity(Threshold))
        {
            throw new ArgumentException($"Threshold must be a positive number, got {Threshold}.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSampleSize, 2, nameof(MaxSampleSize));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MinStdDeviation, TimeSpan.Zero, nameof(MinStdDeviation));
        ArgumentOutOfRangeException.ThrowIfLessThan(AcceptableHeartbeatPause, TimeSpan.Zero, nameof(AcceptableHeartbeatPause));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(FirstHeartbeatEstimate, TimeSpan.Zero, nameof(FirstHeartbeatEstimate));
        return this;
    }
}
