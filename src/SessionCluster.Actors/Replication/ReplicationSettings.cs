using SessionCluster.Actors.Hosting;

namespace SessionCluster.Actors.Replication;

/// <summary>Settings of replication (<c>session-cluster.replication</c>): copies per shard, write consistency, timings.</summary>
/// <param name="ReplicationFactor">Copies of every shard in all, the home's included: 1 keeps no backup.</param>
/// <param name="WriteConsistency">Copies a write needs before its request is answered.</param>
/// <param name="WriteTimeout">How long a write waits for its backups before the request fails with 503.</param>
/// <param name="ResendInterval">How long a delta may go unacknowledged before the home sends it again.</param>
/// <param name="CopyWindow">Slices of a shard copy to a new backup in flight at once: the back-pressure that keeps
/// a copy from crowding out live traffic or filling the sender's memory.</param>
/// <param name="CopyResendMaxInterval">The longest wait between re-sends of a copy slice: the wait starts at
/// <paramref name="ResendInterval"/> and doubles with each re-send, since an unacknowledged slice is usually just slow.</param>
/// <param name="MaxConcurrentCopies">Whole-shard copies a node sends at once (the others wait their turn), so that
/// restoring many backups at once (after a crash, or when a worker joins) does not crowd heartbeats and live traffic out.</param>
/// <param name="AntiEntropyInterval">How often a backup compares digests with its shard's home to repair what got lost.</param>
/// <param name="TouchInterval">How stale a read-only session's last access may be on its backups: reads are not
/// replicated one by one, so after a failover such a session may expire up to this much early.</param>
public sealed record ReplicationSettings(
    int ReplicationFactor,
    WriteConsistency WriteConsistency,
    TimeSpan WriteTimeout,
    TimeSpan ResendInterval,
    int CopyWindow,
    TimeSpan CopyResendMaxInterval,
    int MaxConcurrentCopies,
    TimeSpan AntiEntropyInterval,
    TimeSpan TouchInterval)
{
    /// <summary>The HOCON section, under <c>session-cluster</c>.</summary>
    public const string Section = "replication";

    private static readonly string[] ConsistencyNames = ["local", "one", "majority", "all"];

    /// <summary>The values of reference.conf, for tests and simulations that build settings in code.</summary>
    public static ReplicationSettings Default { get; } = new(
        ReplicationFactor: 2,
        WriteConsistency: WriteConsistency.One,
        WriteTimeout: TimeSpan.FromMilliseconds(4500),
        ResendInterval: TimeSpan.FromMilliseconds(300),
        CopyWindow: 4,
        CopyResendMaxInterval: TimeSpan.FromSeconds(3),
        MaxConcurrentCopies: 4,
        AntiEntropyInterval: TimeSpan.FromSeconds(10),
        TouchInterval: TimeSpan.FromMinutes(1));

    /// <summary>No backups at all: what a test of sharding alone uses.</summary>
    public static ReplicationSettings None { get; } = Default with { ReplicationFactor = 1, WriteConsistency = WriteConsistency.Local };

    /// <summary>Backups per shard.</summary>
    public int Backups => ReplicationFactor - 1;

    /// <summary>Backup acknowledgements a write needs when its shard has <paramref name="backups"/> backups.</summary>
    public int RequiredAcks(int backups) => WriteConsistencyRules.RequiredAcks(WriteConsistency, backups);

    /// <summary>Binds <c>session-cluster.replication</c>; every error names the key and where it was set.</summary>
    internal static ReplicationSettings Read(SettingsReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        const string s = Section + ".";
        var resendInterval = reader.Duration(s + "resend-interval", allowZero: false);
        return new ReplicationSettings(
            reader.Int(s + "replication-factor", min: 1, max: 16),
            reader.OneOf(s + "write-consistency", ConsistencyNames) switch
            {
                "local" => WriteConsistency.Local,
                "majority" => WriteConsistency.Majority,
                "all" => WriteConsistency.All,
                _ => WriteConsistency.One,
            },
            reader.Duration(s + "write-timeout", allowZero: false),
            resendInterval,
            reader.Int(s + "copy-window", min: 1, max: 1024),
            reader.Duration(s + "copy-resend-max-interval", allowZero: false, atLeast: resendInterval),
            reader.Int(s + "max-concurrent-copies", min: 1, max: 1024),
            reader.Duration(s + "anti-entropy-interval", allowZero: false),
            reader.Duration(s + "touch-interval", allowZero: false));
    }
}
