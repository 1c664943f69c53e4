namespace SessionCluster.Actors.Management;

/// <summary>What a <see cref="ManagementRequest"/> asks the receiving node to do.</summary>
public enum ManagementAction
{
    /// <summary>Hand off every shard with its sessions, leave the cluster, exit: what SIGTERM does.</summary>
    Drain = 1,

    /// <summary>Take <see cref="ManagementRequest.Weight"/> as this node's capacity weight.</summary>
    SetWeight = 2,

    /// <summary>To the coordinator's node: run a rebalance round now.</summary>
    Rebalance = 3,

    /// <summary>To the coordinator's node: answer with the regions of the coordinator's table.</summary>
    GetRegions = 4,
}
