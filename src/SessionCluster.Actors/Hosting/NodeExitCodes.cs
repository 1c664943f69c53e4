namespace SessionCluster.Actors.Hosting;

/// <summary>The exit codes of a node process (SessionCluster.Web, SessionCluster.Lighthouse), documented in the README:
/// a supervisor tells a node stopped on purpose from one the cluster put out, which it should start again.</summary>
public static class NodeExitCodes
{
    /// <summary>Stopped as asked: SIGTERM, Ctrl+C, a leave or drain through the management API, <c>--help</c>.</summary>
    public const int Stopped = 0;

    /// <summary>Could not start: a bad switch, configuration file or setting, or a port in use.</summary>
    public const int CannotStart = 2;

    /// <summary>Put out of the cluster without asking to leave (downed by the split-brain resolver after a partition or
    /// an unreachable spell, or by an operator): a new incarnation started now joins as a new member.</summary>
    public const int ShutOut = 3;

    /// <summary><see cref="ShutOut"/> if <paramref name="cluster"/> was put out, else <see cref="Stopped"/>.</summary>
    public static int AfterRun(ClusterNode cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return cluster.WasShutOut ? ShutOut : Stopped;
    }
}
