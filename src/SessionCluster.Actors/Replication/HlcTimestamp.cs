using System.Globalization;

namespace SessionCluster.Actors.Replication;

/// <summary>A hybrid logical clock reading: UTC wall ticks, a logical counter, and the replica that made it.</summary>
/// <remarks>
/// Ordered by wall ticks, then the logical counter, then the replica id, so the order is total: two replicas never
/// produce equal timestamps, and one replica's clock never repeats one (<see cref="HybridLogicalClock"/>), which is why
/// an equal timestamp can be taken to mean "the same write". <see cref="Zero"/> orders before every real reading.
/// </remarks>
/// <param name="WallTicks">The physical part, in 100 ns ticks since 0001-01-01 UTC (<see cref="DateTimeOffset.UtcTicks"/>).</param>
/// <param name="Logical">Events counted within one wall tick, so causality holds when wall clocks stall or step back.</param>
/// <param name="Replica">The replica whose clock made the reading: the last tie-breaker.</param>
public readonly record struct HlcTimestamp(long WallTicks, int Logical, ReplicaId Replica) : IComparable<HlcTimestamp>
{
    /// <summary>Before every reading a clock makes: the timestamp of "never written".</summary>
    public static HlcTimestamp Zero => default;

    public int CompareTo(HlcTimestamp other)
    {
        if (WallTicks != other.WallTicks)
        {
            return WallTicks.CompareTo(other.WallTicks);
        }

        return Logical != other.Logical ? Logical.CompareTo(other.Logical) : Replica.CompareTo(other.Replica);
    }

    public static HlcTimestamp Max(HlcTimestamp left, HlcTimestamp right) => left >= right ? left : right;

    public static bool operator <(HlcTimestamp left, HlcTimestamp right) => left.CompareTo(right) < 0;

    public static bool operator >(HlcTimestamp left, HlcTimestamp right) => left.CompareTo(right) > 0;

    public static bool operator <=(HlcTimestamp left, HlcTimestamp right) => left.CompareTo(right) <= 0;

    public static bool operator >=(HlcTimestamp left, HlcTimestamp right) => left.CompareTo(right) >= 0;

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{WallTicks}.{Logical}@{Replica}");
}
