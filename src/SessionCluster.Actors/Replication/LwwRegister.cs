namespace SessionCluster.Actors.Replication;

/// <summary>A last-writer-wins register: holds the value written at the greatest hybrid logical timestamp.</summary>
/// <remarks>
/// Timestamps are unique per write (<see cref="HlcTimestamp"/> includes the writer, and a writer's clock never repeats),
/// so two registers with equal timestamps hold the same write and <see cref="Merge"/> may keep either: it keeps this
/// one. Writes compare by timestamp alone, never by value, so what a merge keeps does not depend on what was written.
/// Concurrent writes are resolved by the total order of timestamps; the loser is lost, which is the point of the type:
/// use a <see cref="PNCounter"/> where every concurrent change must count.
/// </remarks>
public sealed record LwwRegister<T>(T Value, HlcTimestamp Timestamp)
{
    /// <summary>Writes <paramref name="value"/> at <paramref name="timestamp"/>.</summary>
    /// <returns>The register after the write, and the delta, which is the write itself. If <paramref name="timestamp"/>
    /// is not after <see cref="Timestamp"/> the write loses at once: callers stamp writes with a clock that has
    /// observed this register's timestamp, so it only happens with a misused clock.</returns>
    public (LwwRegister<T> State, LwwRegister<T> Delta) Set(T value, HlcTimestamp timestamp)
    {
        var delta = new LwwRegister<T>(value, timestamp);
        return (Merge(delta), delta);
    }

    /// <summary>The register with the later timestamp (this one on a tie, which is the same write).</summary>
    public LwwRegister<T> Merge(LwwRegister<T> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return other.Timestamp > Timestamp ? other : this;
    }
}
