using System.Collections.Immutable;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Sharding;

// The protocol between regions and the coordinator. A "reign" is one uninterrupted term of one coordinator
// incarnation: it begins with a QueryRegion round, and a region obeys only the reign whose query it answered last,
// so decisions still in flight from a coordinator that lost its post are ignored once the successor has asked.

/// <summary>Region → coordinator: "query me", sent until the coordinator's <see cref="QueryRegion"/> arrives.</summary>
public sealed record RegisterRegion(bool HostsShards) : ICoordinatorMessage;

/// <summary>Coordinator → region: report what you host, and from now on follow reign <paramref name="Reign"/>.</summary>
public sealed record QueryRegion(long Reign) : IRegionMessage;

/// <summary>Region → coordinator: the answer to <see cref="QueryRegion"/>, the truth the coordinator rebuilds its table from.</summary>
/// <param name="Reign">The reign queried.</param>
/// <param name="HostsShards">False for a proxy (front) region.</param>
/// <param name="Weight">The region's capacity weight (0 while draining).</param>
/// <param name="Shards">Every shard the region holds in any form.</param>
/// <param name="MaxEpochSeen">The highest epoch the region has seen in any decision or transfer.</param>
public sealed record RegionReport(long Reign, bool HostsShards, double Weight, ImmutableArray<HostedShard> Shards, long MaxEpochSeen) : ICoordinatorMessage;

/// <summary>One shard in a <see cref="RegionReport"/>.</summary>
public readonly record struct HostedShard(int Shard, long Epoch, HostedShardStatus Status);

/// <summary>How a region holds a shard it reports.</summary>
public enum HostedShardStatus
{
    /// <summary>Serving it.</summary>
    Active = 1,

    /// <summary>Not serving it: stopping its entities or sending its sessions to a new home, keeping them until told.</summary>
    HandingOff = 2,

    /// <summary>Some of its sessions have arrived from the old home; not serving it.</summary>
    Receiving = 3,

    /// <summary>All of its sessions have arrived; not serving it until the coordinator confirms.</summary>
    Received = 4,

    /// <summary>A backup of it, still receiving the home's copy.</summary>
    Backup = 5,

    /// <summary>A backup of it holding the home's whole copy, kept current by deltas.</summary>
    SyncedBackup = 6,
}

/// <summary>Region → coordinator: where is this shard? Answered with <see cref="ShardHomes"/> (allocating it if needed).</summary>
public sealed record GetShardHome(int Shard) : ICoordinatorMessage;

/// <summary>Coordinator → regions: these shards live there, under these epochs.</summary>
public sealed record ShardHomes(long Reign, ImmutableArray<ShardAllocation> Allocations) : IRegionMessage;

/// <summary>One shard's home, its backups and the epoch of that allocation.</summary>
/// <param name="Shard">The shard.</param>
/// <param name="Home">The node that serves it.</param>
/// <param name="Epoch">The allocation's epoch; copies refuse anything older.</param>
/// <param name="Backups">The nodes holding copies (never the home); default means none.</param>
public readonly record struct ShardAllocation(int Shard, NodeAddress Home, long Epoch, ImmutableArray<NodeAddress> Backups = default)
{
    /// <summary><see cref="Backups"/>, empty rather than default.</summary>
    public ImmutableArray<NodeAddress> BackupNodes => Backups.IsDefault ? [] : Backups;

    /// <summary>Equal when shard, home, epoch and backups (in order; default and empty alike) are.</summary>
    public bool Equals(ShardAllocation other) =>
        Shard == other.Shard && Equals(Home, other.Home) && Epoch == other.Epoch &&
        BackupNodes.AsSpan().SequenceEqual(other.BackupNodes.AsSpan());

    public override int GetHashCode() => HashCode.Combine(Shard, Home, Epoch, BackupNodes.Length);
}

/// <summary>Coordinator → old home: stop serving the shard and send its sessions to <paramref name="To"/>, which will
/// serve it under <paramref name="Epoch"/> once the coordinator confirms.</summary>
public sealed record HandOffShard(long Reign, int Shard, NodeAddress To, long Epoch) : IRegionMessage;

/// <summary>New home → coordinator: every session of the shard has arrived; confirm me.</summary>
public sealed record ShardReceived(long Reign, int Shard, long Epoch) : ICoordinatorMessage;

/// <summary>Backup → coordinator: the home's whole copy of the shard has arrived here under this epoch, and deltas
/// keep it current; promote me if the home dies.</summary>
public sealed record BackupSynced(long Reign, int Shard, long Epoch) : ICoordinatorMessage;

/// <summary>Region → coordinator: move every shard off me (weight 0), or take me back (my configured weight).</summary>
public sealed record DrainRegion(bool Draining) : ICoordinatorMessage;

/// <summary>Region → coordinator: my capacity weight is now <paramref name="Weight"/> (an operator changed it); place
/// shards by it from now on. Repeated now and then, since the coordinator does not acknowledge it.</summary>
public sealed record RegionWeightChanged(double Weight) : ICoordinatorMessage;
