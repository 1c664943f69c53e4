namespace SessionCluster.Actors.Replication;

/// <summary>How long a slice of a shard copy or hand-off waits before it is sent again (see <see cref="ShardCopy{TSlice}"/>).</summary>
internal static class ResendBackOff
{
    /// <summary>The wait after the <paramref name="sends"/>th send: <paramref name="first"/>, doubled for each re-send
    /// so far, at most <paramref name="max"/>.</summary>
    public static TimeSpan After(int sends, TimeSpan first, TimeSpan max)
    {
        var wait = first;
        for (var resent = 1; resent < sends && wait < max; resent++)
        {
            // Compared before doubling, so that a long interval cannot overflow.
            wait = wait.Ticks > max.Ticks / 2 ? max : wait * 2;
        }

        return wait < max ? wait : max;
    }
}
