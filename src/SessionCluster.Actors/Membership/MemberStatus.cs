namespace SessionCluster.Actors.Membership;

/// <summary>Where a member is in its life in the cluster; <see cref="MemberLifecycle"/> says which moves are legal.</summary>
/// <remarks>The numeric values are the merge precedence: when two gossips disagree, the higher one wins, because every
/// higher status is reachable from every lower one by legal moves (a later fact beats an earlier one).</remarks>
public enum MemberStatus
{
    /// <summary>Admitted by a member, waiting for the leader to move it Up once everyone has seen it.</summary>
    Joining = 1,

    /// <summary>A full member: counted for convergence, eligible as leader and oldest.</summary>
    Up = 2,

    /// <summary>Asked to leave gracefully; still a full member until the leader moves it to Exiting.</summary>
    Leaving = 3,

    /// <summary>Leaving, seen by all: the leader removes it on the next convergence.</summary>
    Exiting = 4,

    /// <summary>Declared dead (failure detection and the split-brain resolver, or an operator); it must shut down.</summary>
    Down = 5,

    /// <summary>Gone from the membership for good; this incarnation (uid) never comes back.</summary>
    Removed = 6,
}
