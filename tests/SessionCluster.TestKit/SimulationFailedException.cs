namespace SessionCluster.TestKit;

/// <summary>A simulation broke an invariant or missed a deadline; the message starts with the seed that replays it.</summary>
public sealed class SimulationFailedException(int seed, string message) : Exception(message)
{
    /// <summary>The seed to pass to <see cref="ClusterSimulation"/> to replay the run.</summary>
    public int Seed { get; } = seed;
}
