using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Sessions;
using SessionCluster.TestKit;
using SessionCluster.Web.Tests.Support;

namespace SessionCluster.Web.Tests;

/// <summary>
/// How settings reach a node, which layer wins, and how a bad setting stops the start naming its key path: as a
/// <see cref="SettingsException"/> from the node's host, and as Program's one-line <c>error:</c> on standard error.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public sealed class ConfigurationStartupTests
{
    public static TheoryData<string, string, string> BadValues => new()
    {
        { "session-cluster:sessions:max-inactive-interval", "abc", "session-cluster.sessions.max-inactive-interval: expected a duration such as 30m, 5s or 200ms (0s allowed), got 'abc'." },
        { "session-cluster:sessions:max-inactive-interval", "-5m", "session-cluster.sessions.max-inactive-interval: expected a duration such as 30m, 5s or 200ms (0s allowed), got '-5m'." },
        { "session-cluster:management:protect-reads", "on", "session-cluster.management.protect-reads: reads cannot need a token while session-cluster.management.token is empty, got 'on'." },
        { "session-cluster:management:max-failed-attempts-per-minute", "0", "session-cluster.management.max-failed-attempts-per-minute: expected an integer from 1 to 10000, got '0'." },
        { "session-cluster:sessions:request-timeout", "0s", "session-cluster.sessions.request-timeout: expected a positive duration such as 30m, 5s or 200ms, got '0s'." },
        { "session-cluster:sessions:max-value-size", "0", "session-cluster.sessions.max-value-size: expected a size such as 64KiB or 1MiB, from 1 to 2147483647 bytes, got '0'." },
        { "session-cluster:sessions:max-session-size", "4GiB", "session-cluster.sessions.max-session-size: expected a size such as 64KiB or 1MiB, from 1 to 2147483647 bytes, got '4GiB'." },
        { "session-cluster:sessions:max-attributes", "many", "session-cluster.sessions.max-attributes: expected an integer from 1 to 1000000, got 'many'." },
        { "session-cluster:sessions:max-name-length", "0", "session-cluster.sessions.max-name-length: expected an integer from 1 to 65536, got '0'." },
        { "session-cluster:sessions:cookie-name", "my cookie", "session-cluster.sessions.cookie-name: expected letters, digits, '-', '_' or '.' only, got 'my cookie'." },
        { "session-cluster:sessions:cookie-name", "", "session-cluster.sessions.cookie-name: expected a non-empty string, got ''." },
        { "session-cluster:node:route", "a.b", "session-cluster.node.route: 'a.b' is not a valid route; use 1 to 64 letters, digits, '-' or '_'." },
    };

    public static TheoryData<string, string> UnknownKeys => new()
    {
        { "session-cluster:sessions:cookie-nme", "session-cluster.sessions.cookie-nme" },
        { "session-cluster:sesions:max-attributes", "session-cluster.sesions" },
        { "session-cluster:node:rout", "session-cluster.node.rout" },
        { "session-cluster:timeout", "session-cluster.timeout" },
    };

    [Fact]
    public async Task Startup_NoSettings_UsesReferenceDefaults()
    {
        await using var node = new WebNodeFactory();

        var settings = node.Node.Settings;

        Assert.Equal(
            new SessionSettings("SESSIONID", TimeSpan.FromMinutes(30), 64 * 1024, 256, 1024 * 1024, 256, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)) { MaxRemovedAttributes = 256 },
            settings.Sessions);
        Assert.Equal("", settings.Node.Route);
        Assert.Equal(["worker"], settings.Node.Roles);
        Assert.Equal(WebNodeFactory.DefaultRoute, node.Node.Route);
    }

    [Fact]
    public async Task Startup_TestSettings_ReachEverySetting()
    {
        await using var node = WebNodeFactory.With(
            ("session-cluster:sessions:cookie-name", "JSESSIONID"),
            ("session-cluster:sessions:max-inactive-interval", "90s"),
            ("session-cluster:sessions:max-value-size", "1KiB"),
            ("session-cluster:sessions:max-attributes", "3"),
            ("session-cluster:sessions:max-session-size", "10kB"),
            ("session-cluster:sessions:max-name-length", "16"),
            ("session-cluster:sessions:request-timeout", "250ms"),
            ("session-cluster:sessions:max-removed-attributes", "7"),
            ("session-cluster:node:route", "node-a"),
            ("session-cluster:node:roles:0", "front"));

        var settings = node.Node.Settings;

        Assert.Equal(
            new SessionSettings("JSESSIONID", TimeSpan.FromSeconds(90), 1024, 3, 10_000, 16, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5)) { MaxRemovedAttributes = 7 },
            settings.Sessions);
        Assert.Equal("node-a", settings.Node.Route);
        Assert.Equal(["front"], settings.Node.Roles);
        Assert.Equal("node-a", node.Node.Route);
    }

    [Fact]
    public async Task Startup_TestSettings_AreTheLastLayerAfterProgramsOwn()
    {
        await using var node = WebNodeFactory.With(("session-cluster:node:route", "from-test"));

        var providers = ((IConfigurationRoot)node.Services.GetRequiredService<IConfiguration>()).Providers.ToList();

        Assert.Equal("HoconConfigurationProvider for 'reference.conf'", providers[0].ToString());
        Assert.True(providers[^1].TryGet("session-cluster:node:route", out var value), "The test's settings should be the last provider.");
        Assert.Equal("from-test", value);
        Assert.IsType<MemoryConfigurationProvider>(providers[^1]);
        Assert.Equal("from-test", node.Node.Route);
    }

    [Fact]
    public async Task Startup_KeyInOtherLetterCase_IsTheSameSetting()
    {
        await using var node = WebNodeFactory.With(("SESSION-CLUSTER:Sessions:Cookie-Name", "JSID"));

        Assert.Equal("JSID", node.Node.Settings.Sessions.CookieName);
    }

    [Fact]
    public async Task Startup_TestClockRegistered_NodeRunsOnIt()
    {
        await using var node = new WebNodeFactory();
        node.Clock.Advance(TimeSpan.FromHours(3));

        using var client = node.CreateRawClient();
        using var response = await client.GetAsync("/session");

        Assert.Same(node.Clock, node.Node.System.TimeProvider);
        Assert.Same(node.Clock, node.Services.GetRequiredService<TimeProvider>());
        Assert.Contains("\"created\":\"2026-01-01T03:00:00Z\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Startup_UnknownKeyOutsideSessionCluster_Starts()
    {
        await using var node = WebNodeFactory.With(("some-other-library:option", "on"));

        Assert.True(node.Node.IsReady);
    }

    [Theory]
    [MemberData(nameof(BadValues))]
    public async Task NodeHost_BadValueOnCommandLine_StartThrowsNamingTheKey(string key, string value, string message)
    {
        var failure = await NodeHostStartFailure($"--{key}={value}");

        Assert.Equal(message, failure.Message);
    }

    [Theory]
    [MemberData(nameof(UnknownKeys))]
    public async Task NodeHost_UnknownKeyOnCommandLine_StartThrowsNamingIt(string key, string path)
    {
        var failure = await NodeHostStartFailure($"--{key}=x");

        Assert.Equal($"Unknown setting {path}: hocon/reference.conf lists every setting.", failure.Message);
    }

    /// <summary>The bad role comes from the command line; reference.conf only holds the default list.</summary>
    [Fact]
    public async Task NodeHost_BadRoleOnCommandLine_ErrorDoesNotBlameReferenceConf()
    {
        var failure = await NodeHostStartFailure("--session-cluster:node:roles:0=boss");

        Assert.Equal("session-cluster.node.roles: expected a list of worker, front, lighthouse, got 'boss'.", failure.Message);
    }

    [Fact]
    public async Task NodeHost_BadValueInConfigFile_ErrorNamesFileLineAndKey()
    {
        var file = Path.Combine(Path.GetTempPath(), $"session-cluster-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(file, "session-cluster {\n  sessions {\n    max-attributes = many\n  }\n}\n");
        try
        {
            var failure = await NodeHostStartFailure("--config", file);

            Assert.Equal($"{file}:3:22: session-cluster.sessions.max-attributes: expected an integer from 1 to 1000000, got 'many'.", failure.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task NodeHost_CommandLineOverridesBadValueInConfigFile_Starts()
    {
        var file = Path.Combine(Path.GetTempPath(), $"session-cluster-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(file, "session-cluster.sessions.max-attributes = many\n");
        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Configuration.AddNodeConfiguration(NodeCommandLine.Parse(["--config", file, "--session-cluster:sessions:max-attributes=9"], null));
            builder.Services.AddSessionNode();
            using var host = builder.Build();
            await host.StartAsync();

            Assert.Equal(9, host.Services.GetRequiredService<SessionNode>().Settings.Sessions.MaxAttributes);
            await host.StopAsync();
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [MemberData(nameof(BadValues))]
    public async Task Program_BadValue_FailsToStartPrintingTheKey(string key, string value, string message)
    {
        var stderr = await ProgramStartFailure(key, value);

        Assert.Equal("error: " + message + Environment.NewLine, stderr);
    }

    [Theory]
    [MemberData(nameof(UnknownKeys))]
    public async Task Program_UnknownKey_FailsToStartPrintingIt(string key, string path)
    {
        var stderr = await ProgramStartFailure(key, "x");

        Assert.Equal($"error: Unknown setting {path}: hocon/reference.conf lists every setting.{Environment.NewLine}", stderr);
    }

    /// <summary>
    /// Builds the host Program builds, minus the web server: the node's configuration layers from a command line and
    /// the session node. Starting it must fail with the <see cref="SettingsException"/>.
    /// </summary>
    private static async Task<SettingsException> NodeHostStartFailure(params string[] args)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddNodeConfiguration(NodeCommandLine.Parse(args, null));
        builder.Services.AddSessionNode();
        using var host = builder.Build();
        return await Assert.ThrowsAsync<SettingsException>(() => host.StartAsync());
    }

    /// <summary>
    /// Starts Program with one setting; Program catches the <see cref="SettingsException"/> of the failed start,
    /// prints it and exits, so the factory is left with a disposed host. Returns what Program wrote to standard error.
    /// </summary>
    private static async Task<string> ProgramStartFailure(string key, string value)
    {
        var node = WebNodeFactory.With((key, value));
        var stderr = new StringWriter();
        var original = Console.Error;
        Exception? failure;
        Console.SetError(TextWriter.Synchronized(stderr));
        try
        {
            failure = Record.Exception(() => node.CreateRawClient());

            // Program disposes the failed host before it prints, so the factory may give up before the line is written.
            await Eventually.True(() => stderr.ToString().EndsWith(Environment.NewLine, StringComparison.Ordinal), $"Program to print why {key}={value} stopped it");
        }
        finally
        {
            Console.SetError(original);
        }

        // Disposing a factory whose host never started throws from Host.StopAsync (no hosted services to stop); nothing is left running.
        await Record.ExceptionAsync(() => node.DisposeAsync().AsTask());
        Assert.True(failure is not null, $"Program should not have started with {key}={value}; it wrote: {stderr}");
        return stderr.ToString();
    }
}
