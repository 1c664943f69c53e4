using Microsoft.Extensions.Configuration;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.Hocon;

namespace SessionCluster.Actors.Tests.Membership;

public sealed class ClusterSettingsTests
{
    /// <summary>The section proposed for hocon/reference.conf (kept here until it lands there).</summary>
    internal const string ProposedSection = """
        session-cluster {
          cluster {
            # Nodes refuse InitJoin/Join from another cluster name: catches a node pointed at the wrong seeds.
            name = session-cluster
            # host:port of the seed nodes, the same list in the same order on every node. Empty: form a single-node
            # cluster. Only the first seed may form a new cluster, and only when no other seed answers.
            seed-nodes = []
            # How often the host drives the membership state machine; the granularity of every interval below.
            tick-interval = 50ms
            # How often a member gossips its view to one other member (push-pull). 200ms spreads a change to a handful
            # of nodes in ~0.5s; the messages are small, so the cost is negligible on a LAN.
            gossip-interval = 200ms
            # How often a member heartbeats each node it monitors; both the heartbeat and its ack count as proof of life.
            heartbeat-interval = 200ms
            # How many members monitor each member (half on each side on a hash ring). Bounded so that heartbeat
            # load per node stays constant as the cluster grows; with fewer nodes everyone monitors everyone.
            monitored-by = 6
            failure-detector {
              # Suspicion (phi) at which a monitor reports a node unreachable. 8: false alarm odds ~1e-8 per check.
              threshold = 8.0
              # Inter-arrival intervals kept for the mean and deviation (~100 s of history at 10 arrivals/s).
              max-sample-size = 1000
              # Floor on the deviation: loopback is so regular that without it a 50 ms hiccup would look fatal.
              min-std-deviation = 100ms
              # Silence tolerated on top of the mean interval (GC pauses, a loaded CPU). With the values above a dead
              # node is unreachable ~1.2s after its last heartbeat.
              acceptable-heartbeat-pause = 600ms
              # Mean interval assumed before any has been measured, so a node that never answers is still detected.
              first-heartbeat-estimate = 200ms
            }
            # How long the first seed waits for another seed to answer before forming a new cluster on its own.
            seed-node-timeout = 3s
            # How often a node not yet in a cluster asks the seeds again.
            seed-retry-interval = 500ms
            # How long a node waits for the Welcome after its Join before asking the seeds again.
            join-timeout = 1s
            # How long an Exiting node waits to be told it was removed before shutting down anyway.
            exiting-timeout = 2s
            # How long the leader keeps a Down member before removing it, so the downed side has shut itself down
            # before the survivors take over its shards. Both sides decide within a heartbeat or two of each other.
            down-removal-margin = 200ms
            # How long removed incarnations are remembered, so late gossip cannot bring them back.
            tombstone-time-to-live = 24h
            split-brain-resolver {
              # keep-majority (default: the bigger side survives, a tie goes to the side with the lowest address),
              # static-quorum, keep-oldest or down-all.
              active-strategy = keep-majority
              # The unreachable set must be unchanged this long before a leader decides: long enough for every
              # detector on both sides to fire and the observations to spread, so both sides decide on the same
              # picture. Crash-to-removal is about detection (1.2s) + this + ~0.6s of gossip.
              stable-after = 1s
              # If the unreachable set never stays stable, down everyone this long after stable-after (counted from
              # the first observation): two clusters are worse than none. on = stable-after; off = never; or a duration.
              down-all-when-unstable = on
              # Count only members with this role in the decision (keep-majority, static-quorum, keep-oldest); "" = all.
              role = ""
              # static-quorum: members a side needs to survive; the cluster must not grow beyond 2 * quorum-size - 1.
              static-quorum.quorum-size = 0
              # keep-oldest: if the oldest member is alone on its side, down it rather than everyone else.
              keep-oldest.down-if-alone = on
            }
          }
        }
        """;

    [Fact]
    public void Default_IsValid()
    {
        var settings = ClusterSettings.Default.Validate();

        Assert.IsType<KeepMajority>(settings.SplitBrain.CreateStrategy());
        Assert.Empty(settings.SeedNodes);
    }

    [Fact]
    public void Read_ProposedSection_EqualsDefault()
    {
        var settings = Read(string.Empty);

        Assert.Equal(ClusterSettings.Default with { SeedNodes = [] }, settings with { SeedNodes = [] });
        Assert.Empty(settings.SeedNodes);
    }

    [Fact]
    public void Read_Overrides_AreBound()
    {
        var settings = Read("""
            session-cluster.cluster {
              seed-nodes = ["10.0.0.1:4053", "10.0.0.2:4053"]
              split-brain-resolver { active-strategy = static-quorum, static-quorum.quorum-size = 3, down-all-when-unstable = off }
              failure-detector.threshold = 10.5
            }
            """);

        Assert.Equal([new NodeAddress("10.0.0.1", 4053), new NodeAddress("10.0.0.2", 4053)], settings.SeedNodes);
        Assert.Equal(3, Assert.IsType<StaticQuorum>(settings.SplitBrain.CreateStrategy()).QuorumSize);
        Assert.Null(settings.SplitBrain.DownAllWhenUnstable);
        Assert.Equal(10.5, settings.FailureDetector.Threshold);
    }

    [Fact]
    public void Read_SeedNodesAsCommaSeparatedSwitch_AreBound()
    {
        var settings = Read(string.Empty, new Dictionary<string, string?> { ["session-cluster:cluster:seed-nodes"] = "a:1, b:2" });

        Assert.Equal([new NodeAddress("a", 1), new NodeAddress("b", 2)], settings.SeedNodes);
    }

    [Theory]
    [InlineData("session-cluster.cluster.seed-nodes = [\"nohost\"]", "session-cluster.cluster.seed-nodes.0: expected host:port, got 'nohost'")]
    [InlineData("session-cluster.cluster.split-brain-resolver.active-strategy = keep-minority", "expected one of keep-majority, static-quorum, keep-oldest, down-all")]
    [InlineData("session-cluster.cluster.split-brain-resolver.active-strategy = static-quorum", "static-quorum.quorum-size: expected at least 1 when active-strategy is static-quorum")]
    [InlineData("session-cluster.cluster.gossip-interval = 10ms", "session-cluster.cluster.gossip-interval: expected a duration of at least 50ms")]
    [InlineData("session-cluster.cluster.failure-detector.threshold = high", "failure-detector.threshold: expected a number")]
    [InlineData("session-cluster.cluster.split-brain-resolver.keep-oldest.down-if-alone = maybe", "down-if-alone: expected on or off")]
    public void Read_BadValue_NamesKey(string hocon, string expected)
    {
        var error = Assert.Throws<SettingsException>(() => Read(hocon));

        Assert.Contains(expected, error.Message);
    }

    private static ClusterSettings Read(string overrides, Dictionary<string, string?>? switches = null)
    {
        var configuration = new ConfigurationBuilder()
            .Add(new HoconConfigurationSource { Text = ProposedSection, OriginName = "proposed.conf" })
            .Add(new HoconConfigurationSource { Text = overrides, OriginName = "node.conf" })
            .AddInMemoryCollection(switches ?? [])
            .Build();
        return ClusterSettings.Read(new SettingsReader(configuration));
    }
}
