namespace SessionCluster.Actors.Membership;

/// <summary>Where a <see cref="MembershipNode"/> is, before, during and after membership.</summary>
public enum MembershipPhase
{
    /// <summary>Created; <see cref="MembershipNode.Start"/> not called yet.</summary>
    Idle,

    /// <summary>Asking the seeds (InitJoin) for a cluster to join.</summary>
    Seeking,

    /// <summary>Sent Join to a seed that acknowledged; waiting for the Welcome.</summary>
    AwaitingWelcome,

    /// <summary>In the cluster (any status from Joining to Exiting): gossiping and heartbeating.</summary>
    Member,

    /// <summary>Shut down (downed, removed, or left); ignores all input.</summary>
    Stopped,
}
