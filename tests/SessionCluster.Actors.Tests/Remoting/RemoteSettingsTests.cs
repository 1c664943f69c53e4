using Microsoft.Extensions.Configuration;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Remoting;
using SessionCluster.Hocon;

namespace SessionCluster.Actors.Tests.Remoting;

public sealed class RemoteSettingsTests
{
    [Fact]
    public void Load_ReferenceConf_GivesTheDocumentedDefaults()
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
                ReconnectBackoffMax: TimeSpan.FromSeconds(5)) { OutboundQueueMaxBytes = 64 * 1024 * 1024, InboundMessageRate = 250_000, MaxHandshakingConnections = 256 },
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
            ["session-cluster:remote:outbound-queue-max-bytes"] = "0",
        });

        Assert.Equal(4053, settings.Port);
        Assert.Equal("s3cret", settings.Secret);
        Assert.Equal(8 * 1024 * 1024, settings.MaxFrameSize);
        Assert.Equal(0, settings.OutboundQueueMaxBytes);
    }

    [Theory]
    [InlineData("port", "65536", "session-cluster.remote.port: expected an integer from 0 to 65535, got '65536'.")]
    [InlineData("hostname", "", "session-cluster.remote.hostname: expected a non-empty string")]
    [InlineData("max-frame-size", "1KiB", "session-cluster.remote.max-frame-size: expected a size")]
    [InlineData("outbound-queue-size", "0", "session-cluster.remote.outbound-queue-size: expected an integer from 1")]
    [InlineData("outbound-queue-max-bytes", "lots", "session-cluster.remote.outbound-queue-max-bytes: expected a size")]
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
            .AddHoconString(ReferenceConfiguration.Text, ReferenceConfiguration.OriginName)
            .AddInMemoryCollection(overrides ?? [])
            .Build());
}
