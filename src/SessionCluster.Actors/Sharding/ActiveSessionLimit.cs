using SessionCluster.Actors.Diagnostics;

namespace SessionCluster.Actors.Sharding;

/// <summary><c>sessions.max-active-sessions</c> on one node: whether the region may create one more session, counted over
/// the shards it hosts (homes, not backup copies). Used by the region actor alone.</summary>
/// <remarks>Counting every shard's sessions on each creation would take every session directory's locks; the count is
/// taken on the region's tick instead, and sessions created or brought by a shard since are added to it. Sessions that
/// expired or moved away since the last count are still in it, so the limit errs on the side of refusing, for at most a
/// tick.</remarks>
internal sealed class ActiveSessionLimit(int max)
{
    private int _counted;
    private int _addedSince;

    /// <summary>Takes a fresh count (does nothing without a limit).</summary>
    public void Recount(LocalShards local)
    {
        if (max > 0)
        {
            _counted = local.SessionCount();
            _addedSince = 0;
        }
    }

    /// <summary>Counts the sessions of a shard that started here (a hand-off, a failover): never refused, but they count.</summary>
    public void Arrived(int sessions)
    {
        if (max > 0)
        {
            _addedSince += sessions;
        }
    }

    /// <summary>Null if one more session may be created here, and counts it as created; otherwise why not, and counts the refusal.</summary>
    public string? TryCreate()
    {
        if (max <= 0)
        {
            return null;
        }

        if (_counted + _addedSince >= max)
        {
            SessionClusterMetrics.SessionCreationsRefused.Add(1);
            return $"no new session: this node already serves its limit of {max} sessions (sessions.max-active-sessions); existing sessions are served";
        }

        _addedSince++;
        return null;
    }
}
