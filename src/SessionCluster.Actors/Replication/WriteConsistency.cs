namespace SessionCluster.Actors.Replication;

/// <summary>How many copies of a write must exist before its request is answered (Tomcat's channelSendOptions).</summary>
public enum WriteConsistency
{
    /// <summary>Answer at once; the deltas follow asynchronously. A crash of the home before they arrive loses the write.</summary>
    Local,

    /// <summary>One backup has the write (the default): any single crash keeps it.</summary>
    One,

    /// <summary>A majority of all copies (home included) have it.</summary>
    Majority,

    /// <summary>Every backup has it.</summary>
    All,
}

/// <summary>How many backup acknowledgements each <see cref="WriteConsistency"/> needs.</summary>
public static class WriteConsistencyRules
{
    /// <summary>Backup acks needed for <paramref name="consistency"/> when the shard has <paramref name="backups"/>
    /// backups. A shard with no backup (a one-node cluster, or while a backup is being replaced) needs none: there is
    /// nobody to wait for, and refusing every write would take the whole cluster down with one node.</summary>
    public static int RequiredAcks(WriteConsistency consistency, int backups) => consistency switch
    {
        WriteConsistency.Local => 0,
        WriteConsistency.One => Math.Min(1, backups),
        // A majority of the backups + 1 copies is (backups + 1) / 2 + 1; the home's own copy is one of them.
        WriteConsistency.Majority => (backups + 1) / 2,
        WriteConsistency.All => backups,
        _ => throw new ArgumentOutOfRangeException(nameof(consistency), consistency, "Unknown write consistency."),
    };
}
