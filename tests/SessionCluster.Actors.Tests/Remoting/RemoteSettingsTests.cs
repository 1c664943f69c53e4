using Microsoft.Extensions.Configuration;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Remoting;
using SessionCluster.Hocon;

namespace SessionCluster.Actors.Tests.Remoting;

public sealed class RemoteSettingsTests
{
    /// <summary>The <c>remote</c> section proposed for hocon/reference.conf, kept here so that it is proven to parse and
    /// load until it is merged there (then these tests can load reference.conf itself).</summary>
    public const string ProposedReferenceSection = """
        session-cluster {
          remote {
            # The address this node listens on, and the host other nodes are told to reach it at (one value for both, so
            # it must be an address peers can reach: not 0.0.0.0). Loopback by default, so that a node never opens its
            # cluster port to a real network by accident, least of all while no secret is set; a cluster spanning hosts
            # sets each node's routable address.
            hostname = "127.0.0.1"

            # The cluster TCP port; 0 takes any free port (the chosen one is logged). A worker needs no well-known port,
            # since it introduces itself to the seeds with the address it actually bound, and several nodes on one
            # machine then never collide. Seeds must be findable: lighthouse.conf sets 4053.
            port = 0

            # Peers of another cluster are refused at the handshake, so that staging and production on one network
            # cannot merge. Letters, digits, '-', '_' and '.'.
            cluster-name = session-cluster

            # Shared by every node of the cluster; each handshake proves it with HMAC-SHA256 over a fresh nonce, it never
            # crosses the wire. Empty means none, and a warning is logged: whoever reaches the port and knows the cluster
            # name could join. Set it from the environment (session-cluster__remote__secret), not in a file under
            # version control.
            secret = ""

            # Largest frame on the wire: one message, or a batch of them. Twice sessions.max-session-size, so that a whole
            # session and its envelope fit with room to spare; larger transfers (a shard's state at hand-off) are split
            # by the layer that sends them. It also caps the buffer a peer can make this node take per connection.
            max-frame-size = 2MiB

            # Messages queued per peer before sends are refused (counted as overflow, and logged). About 16 ms of traffic
            # at the 1M msg/s target: enough to ride out a short stall of the writer. A peer that falls behind for longer
            # is treated like a lossy link, which the protocols above tolerate; memory stays bounded at a few MiB per
            # peer for small messages.
            outbound-queue-size = 16384

            # Most messages in one frame. Batches form only when messages queue up behind a write in progress (nothing
            # lingers), so a lone message is never delayed; at 1M msg/s, 1024 per frame means ~1000 writes/s.
            batch-max-messages = 1024

            # A frame stops taking messages once it holds this many bytes: enough to spread the cost of a system call
            # over many small messages, small enough (~0.5 ms at 1 Gbit/s) that a batch does not hold heartbeats up.
            batch-max-bytes = 64KiB

            # Longest wait for one TCP connect. A SYN to a black-holed host would otherwise wait about two minutes for
            # the kernel to give up; 5 s still lets a lost SYN be retransmitted (at 1 s, then 3 s), and bounds how long
            # messages for a vanished peer stay queued.
            connect-timeout = 5s

            # Longest wait for a handshake, on either side. An inbound connection that has not proven itself by then is
            # closed, so idle or garbage-sending sockets hold nothing for long; generous enough for a peer paused by a
            # full garbage collection on a loaded machine.
            handshake-timeout = 10s

            # Longest wait for one frame to be written. A peer that stops reading, or a host that vanished without
            # closing (TCP would keep retransmitting for about 15 minutes), would otherwise hold its link and queue for
            # that long; after this the connection ends, queued messages overflow rather than wait, and the link
            # reconnects with backoff. Long enough for a reader paused by a full garbage collection.
            write-timeout = 10s

            # Wait after the first failed connect, doubled after each further failure (less up to 20% jitter). Short, so
            # that a peer restarted on the same port (a new uid) is reached again within a fraction of a second.
            reconnect-backoff-min = 100ms

            # Longest wait between attempts to reach a peer that stays unreachable: one cheap attempt per 5 s while the
            # failure detector and downing decide whether it is gone, and it is found soon after it returns.
            reconnect-backoff-max = 5s
          }
        }
        """;

    [Fact]
    public void Load_ProposedReferenceSection_GivesTheDocumentedDefaults()
    {
        var settings = Load();

        Assert.Equal(
            new RemoteSettings(
                Hostname: "127.0.0.1",
                Port: 0,
                ClusterName: "session-cluster",
                Secret: string.Empty,
                MaxFrameSize: 2 * 1024 * 1024,
                OutboundQueueSize: 16_384,
                BatchMaxMessages: 1024,
                BatchMaxBytes: 64 * 1024,
                ConnectTimeout: TimeSpan.FromSeconds(5),
                HandshakeTimeout: TimeSpan.FromSeconds(10),
                WriteTimeout: TimeSpan.FromSeconds(10),
                ReconnectBackoffMin: TimeSpan.FromMilliseconds(100),
                ReconnectBackoffMax: TimeSpan.FromSeconds(5)),
            settings);
        Assert.Equal(RemoteSettings.CurrentProtocolVersion, settings.ProtocolVersion);
        settings.Validate();
    }

    [Fact]
    public void Load_Overrides_TakeEffect()
    {
        var settings = Load(new Dictionary<string, string?>
        {
            ["session-cluster:remote:port"] = "4053",
            ["session-cluster:remote:secret"] = "s3cret",
            ["session-cluster:remote:max-frame-size"] = "8MiB",
        });

        Assert.Equal(4053, settings.Port);
        Assert.Equal("s3cret", settings.Secret);
        Assert.Equal(8 * 1024 * 1024, settings.MaxFrameSize);
    }

    [Theory]
    [InlineData("port", "65536", "session-cluster.remote.port: expected an integer from 0 to 65535, got '65536'.")]
    [InlineData("cluster-name", "a b", "session-cluster.remote.cluster-name: expected letters, digits")]
    [InlineData("hostname", "", "session-cluster.remote.hostname: expected a non-empty string")]
    [InlineData("max-frame-size", "1KiB", "session-cluster.remote.max-frame-size: expected a size")]
    [InlineData("outbound-queue-size", "0", "session-cluster.remote.outbound-queue-size: expected an integer from 1")]
    [InlineData("handshake-timeout", "0s", "session-cluster.remote.handshake-timeout: expected a positive duration")]
    [InlineData("write-timeout", "-1s", "session-cluster.remote.write-timeout: expected a positive duration")]
    [InlineData("batch-max-bytes", "4MiB", "session-cluster.remote.batch-max-bytes: must not exceed session-cluster.remote.max-frame-size (2097152 bytes), got '4MiB'.")]
    [InlineData("reconnect-backoff-max", "50ms", "session-cluster.remote.reconnect-backoff-max: must not be shorter than session-cluster.remote.reconnect-backoff-min, got '50ms'.")]
    public void Load_BadValue_FailsNamingTheKey(string key, string value, string expected)
    {
        var error = Assert.Throws<SettingsException>(() => Load(new Dictionary<string, string?> { ["session-cluster:remote:" + key] = value }));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void ToString_NeverShowsTheSecret()
    {
        var settings = TcpTestSettings.Loopback() with { Secret = "hunter2" };

        Assert.DoesNotContain("hunter2", settings.ToString());
        Assert.Contains("Secret = (set)", settings.ToString());
        Assert.Contains("Secret = (none)", (settings with { Secret = string.Empty }).ToString());
    }

    [Fact]
    public void Validate_InconsistentValues_NameTheProperty()
    {
        var settings = TcpTestSettings.Loopback();

        Assert.Equal("BatchMaxBytes", Assert.ThrowsAny<ArgumentException>(() => (settings with { BatchMaxBytes = settings.MaxFrameSize + 1 }).Validate()).ParamName);
        Assert.Equal("Port", Assert.ThrowsAny<ArgumentException>(() => (settings with { Port = -1 }).Validate()).ParamName);
        Assert.Equal("ReconnectBackoffMax", Assert.ThrowsAny<ArgumentException>(() => (settings with { ReconnectBackoffMax = TimeSpan.FromMilliseconds(1) }).Validate()).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TcpTransport(settings with { MaxFrameSize = 100 }, TestMessages.Serializer(), uid: 1));
    }

    private static RemoteSettings Load(Dictionary<string, string?>? overrides = null) =>
        RemoteSettings.Load(new ConfigurationBuilder()
            .AddHoconString(ProposedReferenceSection, "remote.conf")
            .AddInMemoryCollection(overrides ?? [])
            .Build());
}
