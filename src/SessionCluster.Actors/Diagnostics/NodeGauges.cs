namespace SessionCluster.Actors.Diagnostics;

/// <summary>What one node contributes to the observable gauges of <see cref="SessionClusterMetrics"/>: each reading is
/// called at collection time (a scrape), never on a request path; a null reading is one this node does not have.</summary>
public sealed class NodeGauges
{
    /// <summary>Sessions in the shards this node serves.</summary>
    public Func<long>? SessionsHosted { get; init; }

    /// <summary>Shards this node hosts.</summary>
    public Func<long>? ShardsHosted { get; init; }

    /// <summary>Backup copies this node keeps.</summary>
    public Func<long>? BackupCopies { get; init; }

    /// <summary>Members this node sees Up.</summary>
    public Func<long>? UpMembers { get; init; }

    /// <summary>Members this node sees unreachable.</summary>
    public Func<long>? UnreachableMembers { get; init; }
}
