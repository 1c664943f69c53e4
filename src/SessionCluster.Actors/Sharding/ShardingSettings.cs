using System.Globalization;
using SessionCluster.Actors.Hosting;

namespace SessionCluster.Actors.Sharding;

/// <summary>Settings of sharding (<c>session-cluster.sharding</c>): shard count, allocation, rebalancing, hand-off, buffering.</summary>
/// <param name="NumberOfShards">How many shards the session ids hash into; the same on every node, for the cluster's life.</param>
/// <param name="CapacityWeight">This node's share of shards relative to the others (mod_jk's lbfactor); 0 hosts none.</param>
/// <param name="RebalanceInterval">How often the coordinator looks for shards to move.</param>
/// <param name="RebalanceAbsoluteLimit">Most shards moving at once.</param>
/// <param name="RebalanceRelativeLimit">Most shards moving at once, as a fraction of all shards; the smaller limit wins.</param>
/// <param name="HandOffTimeout">How long a move may take before the coordinator gives the shard back to its old home.</param>
/// <param name="RetryInterval">How often a region re-asks what it is waiting for (a shard's home, a registration, a transfer's receipt).</param>
/// <param name="BufferSize">Most commands a region holds while shards have no known home; more get 503.</param>
/// <param name="PassivateIdleAfter">An entity idle this long is stopped; its session stays in the shard's memory. Zero: never.</param>
/// <param name="TransferChunkBytes">Largest slice of a shard's sessions in one hand-off message.</param>
public sealed record ShardingSettings(
    int NumberOfShards,
    double CapacityWeight,
    TimeSpan RebalanceInterval,
    int RebalanceAbsoluteLimit,
    double RebalanceRelativeLimit,
    TimeSpan HandOffTimeout,
    TimeSpan RetryInterval,
    int BufferSize,
    TimeSpan PassivateIdleAfter,
    int TransferChunkBytes)
{
    /// <summary>The HOCON section, under <c>session-cluster</c>.</summary>
    public const string Section = "sharding";

    /// <summary>Messages queued at the region actor before it refuses requests (503); 0: unbounded (the default of
    /// settings built in code; reference.conf and <see cref="Default"/> set one). See <see cref="ShardingMailboxes"/>.</summary>
    public int RegionMailboxCapacity { get; init; }

    /// <summary>Requests queued at one session's entity before it refuses more (503); 0: unbounded (the default of
    /// settings built in code; reference.conf and <see cref="Default"/> set one).</summary>
    public int EntityMailboxCapacity { get; init; }

    /// <summary>A request sent to a node and unanswered this long is sent again, to the home the coordinator names
    /// then (at most twice per request); zero: never (the default of settings built in code; reference.conf and
    /// <see cref="Default"/> set one).</summary>
    public TimeSpan ResendUnansweredAfter { get; init; }

    /// <summary>Slices of one hand-off sent and not yet acknowledged at once; the next goes as one is acknowledged, and
    /// only these are re-sent, each after <see cref="RetryInterval"/> and then backing off. 0: every slice at once (the
    /// default of settings built in code; reference.conf and <see cref="Default"/> set one).</summary>
    public int TransferWindow { get; init; }

    /// <summary>The values of reference.conf, for tests and simulations that build settings in code.</summary>
    public static ShardingSettings Default { get; } = new(
        NumberOfShards: 100,
        CapacityWeight: 1,
        RebalanceInterval: TimeSpan.FromSeconds(1),
        RebalanceAbsoluteLimit: 20,
        RebalanceRelativeLimit: 0.1,
        HandOffTimeout: TimeSpan.FromSeconds(10),
        RetryInterval: TimeSpan.FromMilliseconds(500),
        BufferSize: 10_000,
        PassivateIdleAfter: TimeSpan.FromMinutes(2),
        TransferChunkBytes: 512 * 1024)
    {
        RegionMailboxCapacity = 50_000,
        EntityMailboxCapacity = 1_000,
        ResendUnansweredAfter = TimeSpan.FromSeconds(2),
        TransferWindow = 4,
    };

    /// <summary>Binds <c>session-cluster.sharding</c>; every error names the key and where it was set.</summary>
    internal static ShardingSettings Read(SettingsReader reader, int maxFrameSize)
    {
        ArgumentNullException.ThrowIfNull(reader);
        const string s = Section + ".";
        var chunk = reader.Size(s + "transfer-chunk-size", min: 1024, max: int.MaxValue);
        if (chunk > maxFrameSize / 2)
        {
            throw reader.Rejected(s + "transfer-chunk-size", $"at most half of remote.max-frame-size ({maxFrameSize / 2} bytes)", chunk.ToString(CultureInfo.InvariantCulture));
        }

        return new ShardingSettings(
            reader.Int(s + "number-of-shards", min: 1, max: 65_536),
            reader.Double(s + "capacity-weight", min: 0, max: 1_000),
            reader.Duration(s + "rebalance-interval", allowZero: false),
            reader.Int(s + "rebalance-absolute-limit", min: 1, max: 65_536),
            reader.Double(s + "rebalance-relative-limit", min: 0.001, max: 1),
            reader.Duration(s + "handoff-timeout", allowZero: false),
            reader.Duration(s + "retry-interval", allowZero: false),
            reader.Int(s + "buffer-size", min: 1, max: 10_000_000),
            reader.Duration(s + "passivate-idle-after", allowZero: true),
            chunk)
        {
            RegionMailboxCapacity = reader.Int(s + "region-mailbox-capacity", min: 0, max: 100_000_000),
            EntityMailboxCapacity = reader.Int(s + "entity-mailbox-capacity", min: 0, max: 100_000_000),
            ResendUnansweredAfter = reader.Duration(s + "resend-unanswered-after", allowZero: true),
            TransferWindow = reader.Int(s + "transfer-window", min: 0, max: 1_000_000),
        };
    }
}
