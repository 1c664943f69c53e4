using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Membership;

/// <summary>Settings of membership, failure detection and downing (<c>session-cluster.cluster</c>).</summary>
/// <remarks>
/// The defaults aim at crash-to-removal of about 3 s on loopback without false downing under 10% message loss:
/// <list type="bullet">
/// <item>Detection ≈ mean interval + acceptable pause + ~5.2 σ at threshold 8. Heartbeats every 200 ms go both ways
/// between ring neighbours (request and reply both count), so the mean arrival interval is ~100 ms; with the 100 ms
/// deviation floor and a 600 ms pause a silent node is unreachable ~1.2 s after its last heartbeat. Under 10% loss
/// each direction still carries two messages per interval, so six silent intervals in a row (what it takes to
/// trip) have odds of about 10^-12 per interval.</item>
/// <item>stable-after 1 s: the sides' detectors fire within a heartbeat interval or two of each other and gossip
/// every 200 ms (push-pull) spreads an observation to a handful of nodes in 2–3 rounds, so after 1 s both sides
/// count the same sets; and a false suspicion must survive detection + stable-after (~2.2 s of silence) to down
/// anyone, which a loaded but live process survives.</item>
/// <item>Down → removal: convergence on the Down takes ~2 gossip rounds, then the removal margin, then ~2 rounds to
/// spread the removal. Total ≈ 1.2 + 0.2 + 1.0 + 0.4 + margin + 0.4 s.</item>
/// <item>A process that dies on a live host is found sooner: the next message to it (a heartbeat within 200 ms) meets
/// a refused connection, which marks it unreachable at once, and with only refused members unreachable the resolver
/// waits stable-after-refused (100 ms) instead of stable-after. Crash → Down ≈ 0.2 + 0.1 + a tick; removal ≈ 0.5 s
/// after that. A silent host (partition, power loss) still takes the path above.</item>
/// </list>
/// Akka.NET's defaults (1 s heartbeats, 3 s pause, 20 s stable-after, 20 s margin) are tuned for WANs and big
/// clusters; ours assume a LAN and tens of nodes, and keep the same safety structure.
/// </remarks>
/// <param name="ClusterName">Nodes refuse to join a cluster of another name; catches a node pointed at the wrong seeds.</param>
/// <param name="SeedNodes">Where to ask to join; empty = form a single-node cluster. Every node should list the same
/// seeds in the same order: only the first may form a new cluster.</param>
/// <param name="TickInterval">How often the host calls <see cref="MembershipNode.Tick"/>; the granularity of every
/// other interval.</param>
/// <param name="GossipInterval">How often a member gossips to one other member.</param>
/// <param name="HeartbeatInterval">How often a member heartbeats each node it monitors.</param>
/// <param name="MonitoredBy">How many members monitor each member (half on each side of it on the ring).</param>
/// <param name="FailureDetector">Phi accrual tuning.</param>
/// <param name="SeedNodeTimeout">How long the first seed waits for another seed to answer before forming a new cluster.</param>
/// <param name="SeedRetryInterval">How often a node that is not yet a member re-asks the seeds.</param>
/// <param name="JoinTimeout">How long a node waits for the Welcome after sending Join before asking the seeds again.</param>
/// <param name="ExitingTimeout">How long an Exiting node waits to learn it was removed before shutting down anyway.</param>
/// <param name="DownRemovalMargin">How long the leader keeps a Down member before removing it, so the downed side has
/// time to shut itself down before the survivors take over its work.</param>
/// <param name="TombstoneTimeToLive">How long removed incarnations are remembered to stop stale gossip resurrecting them.</param>
/// <param name="SplitBrain">The split-brain resolver.</param>
public sealed record ClusterSettings(
    string ClusterName,
    IReadOnlyList<NodeAddress> SeedNodes,
    TimeSpan TickInterval,
    TimeSpan GossipInterval,
    TimeSpan HeartbeatInterval,
    int MonitoredBy,
    FailureDetectorSettings FailureDetector,
    TimeSpan SeedNodeTimeout,
    TimeSpan SeedRetryInterval,
    TimeSpan JoinTimeout,
    TimeSpan ExitingTimeout,
    TimeSpan DownRemovalMargin,
    TimeSpan TombstoneTimeToLive,
    SplitBrainSettings SplitBrain)
{
    /// <summary>The HOCON section, under <c>session-cluster</c>.</summary>
    public const string Section = "cluster";

    /// <summary>Messages queued at the cluster daemon beyond which gossip from peers is dropped (it is re-sent every
    /// gossip round); everything else is always queued. 0: unbounded (the default of settings built in code;
    /// reference.conf and <see cref="Default"/> set one).</summary>
    public int DaemonMailboxCapacity { get; init; }

    /// <summary>The defaults proposed for reference.conf; see the type remarks for the reasoning.</summary>
    public static ClusterSettings Default { get; } = new(
        ClusterName: "session-cluster",
        SeedNodes: [],
        TickInterval: TimeSpan.FromMilliseconds(50),
        GossipInterval: TimeSpan.FromMilliseconds(200),
        HeartbeatInterval: TimeSpan.FromMilliseconds(200),
        MonitoredBy: 6,
        FailureDetector: new FailureDetectorSettings(
            Threshold: 8.0,
            MaxSampleSize: 1000,
            MinStdDeviation: TimeSpan.FromMilliseconds(100),
            AcceptableHeartbeatPause: TimeSpan.FromMilliseconds(600),
            FirstHeartbeatEstimate: TimeSpan.FromMilliseconds(200)),
        SeedNodeTimeout: TimeSpan.FromSeconds(3),
        SeedRetryInterval: TimeSpan.FromMilliseconds(500),
        JoinTimeout: TimeSpan.FromSeconds(1),
        ExitingTimeout: TimeSpan.FromSeconds(2),
        DownRemovalMargin: TimeSpan.FromMilliseconds(200),
        TombstoneTimeToLive: TimeSpan.FromHours(24),
        SplitBrain: new SplitBrainSettings(
            ActiveStrategy: KeepMajority.StrategyName,
            StableAfter: TimeSpan.FromSeconds(1),
            StableAfterRefused: TimeSpan.FromMilliseconds(100),
            DownAllWhenUnstable: TimeSpan.FromSeconds(4),
            Role: string.Empty,
            QuorumSize: 0,
            DownIfAlone: true))
    {
        DaemonMailboxCapacity = 10_000,
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent field; returns this.</summary>
    public ClusterSettings Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(ClusterName, nameof(ClusterName));
        ArgumentNullException.ThrowIfNull(SeedNodes, nameof(SeedNodes));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(TickInterval, TimeSpan.Zero, nameof(TickInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(GossipInterval, TickInterval, nameof(GossipInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(HeartbeatInterval, TickInterval, nameof(HeartbeatInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(MonitoredBy, 1, nameof(MonitoredBy));
        FailureDetector.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(SeedNodeTimeout, TimeSpan.Zero, nameof(SeedNodeTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(SeedRetryInterval, TimeSpan.Zero, nameof(SeedRetryInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(JoinTimeout, TimeSpan.Zero, nameof(JoinTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ExitingTimeout, TimeSpan.Zero, nameof(ExitingTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(DownRemovalMargin, TimeSpan.Zero, nameof(DownRemovalMargin));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(TombstoneTimeToLive, TimeSpan.Zero, nameof(TombstoneTimeToLive));
        ArgumentOutOfRangeException.ThrowIfLessThan(SplitBrain.StableAfter, TimeSpan.Zero, "SplitBrain.StableAfter");
        ArgumentOutOfRangeException.ThrowIfLessThan(SplitBrain.StableAfterRefused, TimeSpan.Zero, "SplitBrain.StableAfterRefused");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(SplitBrain.StableAfterRefused, SplitBrain.StableAfter, "SplitBrain.StableAfterRefused");
        SplitBrain.CreateStrategy();
        return this;
    }

    /// <summary>Binds <c>session-cluster.cluster</c>; every error names the key and where it was set.</summary>
    internal static ClusterSettings Read(SettingsReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        const string fd = Section + ".failure-detector.";
        const string sbr = Section + ".split-brain-resolver.";
        var stableAfter = reader.Duration(sbr + "stable-after", allowZero: true);
        var stableAfterRefused = reader.Duration(sbr + "stable-after-refused", allowZero: true);
        if (stableAfterRefused > stableAfter)
        {
            throw reader.Inconsistent(sbr + "stable-after-refused", "expected at most stable-after (a shorter wait for members known dead)");
        }

        var strategy = reader.OneOf(sbr + "active-strategy", SplitBrainSettings.StrategyNames);
        var quorumSize = reader.Int(sbr + "static-quorum.quorum-size", min: 0, max: 100_000);
        if (strategy == StaticQuorum.StrategyName && quorumSize < 1)
        {
            throw reader.Rejected(sbr + "static-quorum.quorum-size", "at least 1 when active-strategy is static-quorum", quorumSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var tick = reader.Duration(Section + ".tick-interval", allowZero: false);
        var settings = new ClusterSettings(
            reader.String(Section + ".name", mustBeToken: true),
            reader.AddressList(Section + ".seed-nodes"),
            tick,
            reader.Duration(Section + ".gossip-interval", allowZero: false, atLeast: tick),
            reader.Duration(Section + ".heartbeat-interval", allowZero: false, atLeast: tick),
            reader.Int(Section + ".monitored-by", min: 1, max: 100),
            new FailureDetectorSettings(
                reader.Double(fd + "threshold", min: 0.5, max: 100),
                reader.Int(fd + "max-sample-size", min: 2, max: 100_000),
                reader.Duration(fd + "min-std-deviation", allowZero: false),
                reader.Duration(fd + "acceptable-heartbeat-pause", allowZero: true),
                reader.Duration(fd + "first-heartbeat-estimate", allowZero: false)),
            reader.Duration(Section + ".seed-node-timeout", allowZero: false),
            reader.Duration(Section + ".seed-retry-interval", allowZero: false),
            reader.Duration(Section + ".join-timeout", allowZero: false),
            reader.Duration(Section + ".exiting-timeout", allowZero: false),
            reader.Duration(Section + ".down-removal-margin", allowZero: true),
            reader.Duration(Section + ".tombstone-time-to-live", allowZero: false),
            new SplitBrainSettings(
                strategy,
                stableAfter,
                stableAfterRefused,
                reader.DurationOrSwitch(sbr + "down-all-when-unstable", whenOn: stableAfter),
                reader.String(sbr + "role", allowEmpty: true),
                quorumSize,
                reader.Boolean(sbr + "keep-oldest.down-if-alone")))
        {
            DaemonMailboxCapacity = reader.Int(Section + ".daemon-mailbox-capacity", min: 0, max: 100_000_000),
        };
        return settings.Validate();
    }
}
