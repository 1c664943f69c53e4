namespace SessionCluster.Actors.Diagnostics;

/// <summary>What one node contributes to the observable gauges and counters of <see cref="SessionClusterMetrics"/>: each
/// reading is called at collection time (a scrape), never on a request path; a null reading is one this node does not
/// have.</summary>
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

    /// <summary>Cluster messages written to sockets since start (a counter).</summary>
    public Func<long>? RemoteMessagesSent { get; init; }

    /// <summary>Cluster messages received and decoded since start (a counter).</summary>
    public Func<long>? RemoteMessagesReceived { get; init; }

    /// <summary>Cluster messages lost since start: for an unreachable peer, in a failed write, too large, malformed (a counter).</summary>
    public Func<long>? RemoteMessagesDropped { get; init; }

    /// <summary>Sends refused since start because a peer's outbound queue was full (a counter).</summary>
    public Func<long>? RemoteQueueOverflows { get; init; }

    /// <summary>Messages waiting in the outbound queues now, all peers together.</summary>
    public Func<long>? RemoteOutboundQueued { get; init; }

    /// <summary>Estimated bytes of those messages.</summary>
    public Func<long>? RemoteOutboundQueuedBytes { get; init; }

    /// <summary>Inbound cluster connections refused at the handshake, or closed for bad input, since start (a counter).</summary>
    public Func<long>? RemoteConnectionsRefused { get; init; }
}
