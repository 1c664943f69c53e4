namespace SessionCluster.Actors.Membership;

/// <summary>The legal moves between <see cref="MemberStatus"/> values; every status change goes through here.</summary>
/// <remarks>
/// <code>
///              (leader, converged)             (Leave)              (leader, converged)
///   Joining ─────────────────────────▶ Up ──────────────▶ Leaving ─────────────────────▶ Exiting
///     │ │                               │                  ▲   │                           │   │
///     │ └───────────(Leave)─────────────┼──────────────────┘   │                           │   │ (leader,
///     │                                 │                      │                           │   │  converged)
///     └──────────(Down)─────────────────┴──────▶ Down ◀────────┴──────────(Down)───────────┘   │
///                                                 │                                           ▼
///                                                 └──(leader, converged + removal margin)──▶ Removed
/// </code>
/// Joining, Up, Leaving and Exiting may also go straight to Removed (seen that way by a node that missed the steps
/// between). Removed is final. Merges never need this check: a merge keeps the higher status, and the order of the
/// enum is a chain of legal moves, so a merged status is always reachable from both inputs.
/// </remarks>
public static class MemberLifecycle
{
    /// <summary>True if a member may move from <paramref name="from"/> to <paramref name="to"/> in one step.</summary>
    public static bool CanMove(MemberStatus from, MemberStatus to) => (from, to) switch
    {
        (MemberStatus.Joining, MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Down or MemberStatus.Removed) => true,
        (MemberStatus.Up, MemberStatus.Leaving or MemberStatus.Down or MemberStatus.Removed) => true,
        (MemberStatus.Leaving, MemberStatus.Exiting or MemberStatus.Down or MemberStatus.Removed) => true,
        (MemberStatus.Exiting, MemberStatus.Down or MemberStatus.Removed) => true,
        (MemberStatus.Down, MemberStatus.Removed) => true,
        _ => false,
    };

    /// <summary>True if <paramref name="to"/> follows <paramref name="from"/> after zero or more legal moves: what an
    /// observer may see between two gossips, since it can miss the steps in between.</summary>
    public static bool CanReach(MemberStatus from, MemberStatus to) => from == to || (int)to > (int)from;

    /// <summary>Throws <see cref="InvalidOperationException"/> naming both statuses if the move is illegal.</summary>
    public static MemberStatus Move(MemberStatus from, MemberStatus to) =>
        CanMove(from, to) ? to : throw new InvalidOperationException($"Illegal member status move {from} -> {to}.");

    /// <summary>The status that wins when two views of one incarnation disagree: the later one.</summary>
    public static MemberStatus HigherOf(MemberStatus a, MemberStatus b) => (int)a >= (int)b ? a : b;
}
