using System.Collections.Immutable;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Sharding;

/// <summary>Where the coordinator keeps one shard: its home (the single writer), its backups, and the epoch of that decision.</summary>
/// <param name="Home">The region that serves the shard.</param>
/// <param name="Epoch">Changes whenever the home or the backups change; copies refuse anything older.</param>
/// <param name="Backups">Regions holding a copy, none of them the home, in the order they were chosen.</param>
/// <param name="Synced">The backups that have said they hold the whole shard (the home's copy arrived): the ones
/// worth promoting when the home dies.</param>
public readonly record struct ShardPlacement(UniqueAddress Home, long Epoch, ImmutableArray<UniqueAddress> Backups, ImmutableArray<UniqueAddress> Synced)
{
    /// <summary>A shard on <paramref name="home"/> with no backup yet.</summary>
    public static ShardPlacement Alone(UniqueAddress home, long epoch) => new(home, epoch, [], []);

    /// <summary>Equal when home, epoch and both lists (in order) are.</summary>
    public bool Equals(ShardPlacement other) =>
        Equals(Home, other.Home) && Epoch == other.Epoch &&
        Backups.AsSpan().SequenceEqual(other.Backups.AsSpan()) && Synced.AsSpan().SequenceEqual(other.Synced.AsSpan());

    public override int GetHashCode() => HashCode.Combine(Home, Epoch, Backups.Length);

    public override string ToString() =>
        $"{Home} epoch {Epoch}, backups [{string.Join(", ", Backups)}], synced [{string.Join(", ", Synced)}]";
}
