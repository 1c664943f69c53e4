namespace SessionCluster.Actors.Membership;

/// <summary>What a leader does about a stable split, from its own side's point of view.</summary>
public enum DowningDecision
{
    /// <summary>This side survives: down the members it cannot reach.</summary>
    DownUnreachable,

    /// <summary>This side loses: down every member of this side, the deciding node included.</summary>
    DownReachable,

    /// <summary>No side can be trusted to survive alone: down everyone.</summary>
    DownAll,
}
