using Microsoft.Extensions.Configuration;
using SessionCluster.Actors.Hosting;
using SessionCluster.Hocon;

namespace SessionCluster.Actors.Tests.Hosting;

public sealed class SessionClusterSettingsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("settings-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Default_ComesFromReferenceConf()
    {
        var settings = SessionClusterSettings.Default;

        Assert.Equal("SESSIONID", settings.Sessions.CookieName);
        Assert.Equal(TimeSpan.FromMinutes(30), settings.Sessions.MaxInactiveInterval);
        Assert.Equal(64 * 1024, settings.Sessions.MaxValueBytes);
        Assert.Equal(256, settings.Sessions.MaxAttributes);
        Assert.Equal(1024 * 1024, settings.Sessions.MaxSessionBytes);
        Assert.Equal(256, settings.Sessions.MaxNameLength);
        Assert.Equal(0, settings.Sessions.MaxActiveSessions);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.Sessions.RequestTimeout);
        Assert.Equal(string.Empty, settings.Node.Route);
        Assert.Equal(["worker"], settings.Node.Roles);
        Assert.Equal(SessionCluster.Actors.Sharding.ShardingSettings.Default, settings.Sharding);
        Assert.Equal(4, settings.Sharding.TransferWindow);
        Assert.Equal(64 * 1024 * 1024, settings.Remote.OutboundQueueMaxBytes);
    }

    [Fact]
    public void NodeFile_OverridesReferenceAndReplacesArrays()
    {
        var settings = Load("session-cluster { node.roles = [front], sessions.max-inactive-interval = 90s }");

        Assert.Equal(["front"], settings.Node.Roles);
        Assert.Equal(TimeSpan.FromSeconds(90), settings.Sessions.MaxInactiveInterval);
        Assert.Equal("SESSIONID", settings.Sessions.CookieName);
    }

    [Fact]
    public void ListSwitches_ReplaceTheFilesLists()
    {
        var settings = Load(
            "session-cluster { node.roles = [worker], cluster.seed-nodes = [\"127.0.0.1:4053\"] }",
            new Dictionary<string, string>
            {
                ["session-cluster:node:roles"] = "worker,front",
                ["session-cluster:cluster:seed-nodes"] = "10.0.0.1:1,10.0.0.2:2",
            });

        Assert.Equal(["worker", "front"], settings.Node.Roles);
        Assert.Equal(["10.0.0.1:1", "10.0.0.2:2"], settings.Cluster.SeedNodes.Select(a => a.ToString()));
    }

    [Fact]
    public void CommandLine_OverridesNodeFile()
    {
        var settings = Load(
            "session-cluster.sessions.cookie-name = FROMFILE",
            new Dictionary<string, string> { ["session-cluster:sessions:cookie-name"] = "FROMSWITCH" });

        Assert.Equal("FROMSWITCH", settings.Sessions.CookieName);
    }

    [Fact]
    public void EnvironmentVariable_OverridesNodeFile()
    {
        var name = "session-cluster__sessions__max-attributes";
        Environment.SetEnvironmentVariable(name, "7");
        try
        {
            Assert.Equal(7, Load("session-cluster.sessions.max-attributes = 9").Sessions.MaxAttributes);
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Theory]
    [InlineData("session-cluster.sessions.max-inactive-interval = abc", "node.conf:1:50: session-cluster.sessions.max-inactive-interval: expected a duration")]
    [InlineData("session-cluster.sessions.request-timeout = 0s", "session-cluster.sessions.request-timeout: expected a positive duration")]
    [InlineData("session-cluster.sessions.request-timeout = 31s", "session-cluster.sessions.request-timeout: at most 30s, so that a retried increment is still recognised")]
    [InlineData("session-cluster.sessions.max-value-size = 12XB", "node.conf:1:43: session-cluster.sessions.max-value-size: expected a size")]
    [InlineData("session-cluster.sessions.max-attributes = 0", "session-cluster.sessions.max-attributes: expected an integer from 1")]
    [InlineData("session-cluster.sessions.max-active-sessions = -1", "session-cluster.sessions.max-active-sessions: expected an integer from 0")]
    [InlineData("session-cluster.sessions.cookie-name = \"a b\"", "session-cluster.sessions.cookie-name: expected letters, digits")]
    [InlineData("session-cluster.node.roles = [worker, bogus]", "session-cluster.node.roles: expected a list of worker, front, lighthouse, got 'bogus'")]
    [InlineData("session-cluster {\n  sessions {\n    cookie-nme = X\n  }\n}", "node.conf:3:18: Unknown setting session-cluster.sessions.cookie-nme")]
    [InlineData("session-cluster.nodes.route = x", "Unknown setting session-cluster.nodes")]
    public void BadSetting_FailsNamingKeyAndOrigin(string hocon, string expected)
    {
        var error = Assert.Throws<SettingsException>(() => Load(hocon));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void BadSetting_FromCommandLine_NamesKeyWithoutFile()
    {
        var error = Assert.Throws<SettingsException>(() => Load(
            string.Empty,
            new Dictionary<string, string> { ["session-cluster:sessions:max-attributes"] = "many" }));

        Assert.Equal("session-cluster.sessions.max-attributes: expected an integer from 1 to 1000000, got 'many'.", error.Message);
    }

    [Fact]
    public void SyntaxError_NamesFileLineAndColumn()
    {
        var error = Assert.Throws<HoconException>(() => Load("session-cluster {\n  sessions = [1, 2\n"));

        Assert.Equal(Path.Combine(_directory, "node.conf"), error.File);
        Assert.True(error.Line >= 2);
    }

    [Fact]
    public void MissingConfigFile_Throws()
    {
        var commandLine = new NodeCommandLine(Path.Combine(_directory, "absent.conf"), new Dictionary<string, string>());

        Assert.Throws<FileNotFoundException>(() => new ConfigurationBuilder().AddNodeConfiguration(commandLine).Build());
    }

    [Fact]
    public void NoConfigFile_RunsOnReferenceAlone()
    {
        var commandLine = new NodeCommandLine(null, new Dictionary<string, string>());

        var settings = SessionClusterSettings.Load(new ConfigurationBuilder().AddNodeConfiguration(commandLine).Build());

        Assert.Equal(SessionClusterSettings.Default.Sessions, settings.Sessions);
        Assert.Equal(SessionClusterSettings.Default.Remote, settings.Remote);
        Assert.Equal(["worker"], settings.Node.Roles);
        Assert.Empty(settings.Cluster.SeedNodes);
    }

    [Theory]
    [InlineData("session-cluster:node:roles:3", true)]
    [InlineData("session-cluster:sessions", true)]
    [InlineData("session-cluster:sessions:cookie-name", true)]
    [InlineData("session-cluster:sessions:cookie", false)]
    [InlineData("SESSION-CLUSTER:SESSIONS:COOKIE-NAME", true)]
    public void ReferenceConfiguration_KnowsItsKeys(string key, bool known) => Assert.Equal(known, ReferenceConfiguration.IsKnown(key));

    private SessionClusterSettings Load(string nodeFile, Dictionary<string, string>? overrides = null)
    {
        var path = Path.Combine(_directory, "node.conf");
        File.WriteAllText(path, nodeFile);
        var commandLine = new NodeCommandLine(path, overrides ?? []);
        return SessionClusterSettings.Load(new ConfigurationBuilder().AddNodeConfiguration(commandLine).Build());
    }
}
