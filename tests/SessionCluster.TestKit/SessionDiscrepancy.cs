using SessionCluster.Actors.Sessions;

namespace SessionCluster.TestKit;

/// <summary>A session whose counter, read back, does not fit what the cluster acknowledged (see
/// <see cref="ShardedSimulation.CheckSessions"/>).</summary>
/// <param name="Session">The session.</param>
/// <param name="Shard">Its shard.</param>
/// <param name="Actual">The counter read back; null if the read was not answered with a value.</param>
/// <param name="Acknowledged">Increments the cluster acknowledged.</param>
/// <param name="Unknown">Increments whose outcome is unknown (may have applied, or never answered).</param>
/// <param name="Problem">What is wrong.</param>
public sealed record SessionDiscrepancy(SessionId Session, int Shard, long? Actual, int Acknowledged, int Unknown, string Problem)
{
    /// <summary>Acknowledged increments the counter lacks (0 if it lacks none or was not read).</summary>
    public long Lost => Actual is { } actual ? Math.Max(0, Acknowledged - actual) : 0;

    public override string ToString() =>
        $"{Session} (shard {Shard}): {Problem}; read {Actual?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}, " +
        $"{Acknowledged} acknowledged, {Unknown} unknown";
}
