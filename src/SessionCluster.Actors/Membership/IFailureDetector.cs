namespace SessionCluster.Actors.Membership;

/// <summary>Judges whether a monitored node is alive from the arrival times of its heartbeats.</summary>
/// <remarks>Takes observations, never reads a clock: the caller passes every arrival time and the time of each
/// question, so tests script heartbeat histories exactly.</remarks>
public interface IFailureDetector
{
    /// <summary>Records a heartbeat that arrived at <paramref name="arrival"/>.</summary>
    void Heartbeat(DateTimeOffset arrival);

    /// <summary>True if, at <paramref name="now"/>, the node is still believed alive.</summary>
    bool IsAvailable(DateTimeOffset now);
}
