using Microsoft.Extensions.Configuration;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.Hocon;

namespace SessionCluster.Actors.Tests.Membership;

public sealed class ClusterSettingsTests
{
    [Fact]
    public void Default_IsValid()
    {
        var settings = ClusterSettings.Default.Validate();

        Assert.IsType<KeepMajority>(settings.SplitBrain.CreateStrategy());
        Assert.Empty(settings.SeedNodes);
    }

    [Fact]
    public void Read_ReferenceConf_EqualsDefault()
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
              split-brain-resolver { active-strategy = static-quorum, static-quorum.quorum-size = 3, down-all-when-unstable = off, stable-after-refused = 0s }
              failure-detector.threshold = 10.5
            }
            """);

        Assert.Equal([new NodeAddress("10.0.0.1", 4053), new NodeAddress("10.0.0.2", 4053)], settings.SeedNodes);
        Assert.Equal(3, Assert.IsType<StaticQuorum>(settings.SplitBrain.CreateStrategy()).QuorumSize);
        Assert.Null(settings.SplitBrain.DownAllWhenUnstable);
        Assert.Equal(TimeSpan.Zero, settings.SplitBrain.StableAfterRefused);
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
    [InlineData("session-cluster.cluster.split-brain-resolver.stable-after-refused = 2s",
        "split-brain-resolver.stable-after-refused: expected at most stable-after (a shorter wait for members known dead), got '2s'")]
    public void Read_BadValue_NamesKey(string hocon, string expected)
    {
        var error = Assert.Throws<SettingsException>(() => Read(hocon));

        Assert.Contains(expected, error.Message);
    }

    private static ClusterSettings Read(string overrides, Dictionary<string, string?>? switches = null)
    {
        var configuration = new ConfigurationBuilder()
            .Add(ReferenceConfiguration.Source)
            .Add(new HoconConfigurationSource { Text = overrides, OriginName = "node.conf" })
            .AddInMemoryCollection(switches ?? [])
            .Build();
        return ClusterSettings.Read(new SettingsReader(configuration));
    }
}
