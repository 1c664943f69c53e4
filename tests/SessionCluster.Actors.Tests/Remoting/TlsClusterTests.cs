using Microsoft.Extensions.Configuration;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;
using SessionCluster.Actors.Tests.Sharding;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Remoting;

/// <summary>TLS end to end: settings read from HOCON, and two real session nodes forming a cluster, sharding and
/// replicating over TLS with mutual certificates.</summary>
public sealed class TlsClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly InProcessNodes _nodes = new();
    private readonly TestCertificates _ca = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _nodes.DisposeAsync();
        _ca.Dispose();
    }

    [Fact]
    public async Task Two_nodes_over_mutual_TLS_form_a_cluster_and_serve_each_others_sessions()
    {
        var a = await _nodes.StartAsync("a", seed: null, settings => WithTls(settings, "a"));
        var b = await _nodes.StartAsync("b", seed: a, settings => WithTls(settings, "b"));
        await Eventually.True(() => InProcessNodes.Serving(a) + InProcessNodes.Serving(b) == 100 && InProcessNodes.Serving(b) > 0, "the shards spread over both nodes", Deadline);
        await Eventually.True(() => InProcessNodes.WholeCopies(a) == InProcessNodes.Serving(b), "a holds a whole copy of b's shards", Deadline);

        // Sessions created through a land on both nodes' shards; every one is then read through b.
        var ids = new List<SessionId>();
        for (var i = 0; i < 20; i++)
        {
            var created = (SessionSnapshot)await Eventually.Value(() => a.Client.Create(default), reply => reply is SessionSnapshot, "a session created", Deadline);
            Assert.IsType<SessionSnapshot>(await a.Client.Send(new SetAttribute(created.Id, "n", "1"u8.ToArray()), default));
            ids.Add(created.Id);
        }

        Assert.Contains(ids, id => b.LocalShards[ShardId.Of(id, 100)] is { Serving: true });
        foreach (var id in ids)
        {
            var read = Assert.IsType<AttributeValue>(await b.Client.Send(new GetAttribute(id, "n"), default));
            Assert.Equal("1"u8.ToArray(), read.JsonValue);
        }

        var state = await a.Cluster.GetStateAsync(default);
        Assert.Equal(2, state.Members.Length);
    }

    [Fact]
    public void Tls_settings_are_read_from_hocon_and_a_missing_file_names_its_key()
    {
        var (certificate, key) = _ca.IssueNode("conf");
        var settings = Load($$"""
            session-cluster.remote.tls {
              enabled = on
              certificate = "{{certificate}}"
              key = "{{key}}"
              ca = "{{_ca.CaPath}}"
              require-client-certificate = on
            }
            """);
        Assert.Equal(new Actors.Remoting.TlsSettings(true, certificate, key, string.Empty, _ca.CaPath, true), settings.Remote.Tls);
        Assert.False(SessionClusterSettings.Default.Remote.Tls.Enabled);

        var missing = Assert.Throws<SettingsException>(() => Load($$"""session-cluster.remote.tls { enabled = on, certificate = "{{certificate}}", ca = "/nonexistent/ca.pem" }"""));
        Assert.Contains("session-cluster.remote.tls.ca", missing.Message);
        var none = Assert.Throws<SettingsException>(() => Load("session-cluster.remote.tls.enabled = on"));
        Assert.Contains("session-cluster.remote.tls.certificate", none.Message);
        Assert.DoesNotContain("pfx-secret", Load($$"""session-cluster.remote.tls { certificate-password = "pfx-secret" }""").Remote.ToString());
    }

    private SessionClusterSettings WithTls(SessionClusterSettings settings, string name) =>
        settings with
        {
            Remote = settings.Remote with { Secret = "tls-cluster-secret", Tls = _ca.NodeSettings(name, requireClientCertificate: true) },
            Sharding = settings.Sharding with { RebalanceAbsoluteLimit = 50, RebalanceRelativeLimit = 1 },
        };

    private SessionClusterSettings Load(string hocon)
    {
        var path = Path.Combine(_ca.Directory, $"node-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, hocon);
        return SessionClusterSettings.Load(new ConfigurationBuilder().AddNodeConfiguration(new NodeCommandLine(path, new Dictionary<string, string>())).Build());
    }
}
