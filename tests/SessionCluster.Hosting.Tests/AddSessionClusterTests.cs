using Microsoft.AspNetCore.Session;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SessionCluster.Actors.Hosting;

namespace SessionCluster.Hosting.Tests;

/// <summary>builder.AddSessionCluster(): where the node's settings come from and in which order, a bad setting
/// failing the start with its key, the node started and stopped with the host, and the session store it registers.</summary>
public sealed class AddSessionClusterTests
{
    [Fact]
    public void Settings_LayerReferenceThenFileThenOptionsThenTheAppsSection()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("hosting-conf-").FullName, "cluster.conf");
        File.WriteAllText(file, "session-cluster.sessions { max-attributes = 10, max-name-length = 30, max-value-size = 2KiB }");
        var options = new SessionClusterOptions { ConfigFile = file };
        options.Settings["sessions.max-name-length"] = "20";
        options.Settings["session-cluster.sessions.max-value-size"] = "4KiB";
        var app = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["session-cluster:sessions:max-attributes"] = "12",
            ["unrelated:key"] = "ignored",
        }).Build();

        var settings = SessionClusterSettings.Load(SessionClusterConfiguration.Build(options, app)).Sessions;

        Assert.Equal(12, settings.MaxAttributes);            // the app's configuration wins
        Assert.Equal(20, settings.MaxNameLength);            // options over the file
        Assert.Equal(4096, settings.MaxValueBytes);          // a full HOCON path works too
        Assert.Equal(SessionClusterSettings.Default.Sessions.MaxSessionBytes, settings.MaxSessionBytes); // reference.conf
    }

    [Fact]
    public void WithoutUseAppConfiguration_TheAppsSectionIsIgnored()
    {
        var app = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["session-cluster:sessions:max-attributes"] = "12" }).Build();

        var settings = SessionClusterSettings.Load(SessionClusterConfiguration.Build(new SessionClusterOptions { UseAppConfiguration = false }, app));

        Assert.Equal(SessionClusterSettings.Default.Sessions.MaxAttributes, settings.Sessions.MaxAttributes);
    }

    [Fact]
    public async Task AnUnknownSetting_FailsTheStart_NamingTheKey()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["session-cluster:sessions:max-atributes"] = "3" });
        builder.AddSessionCluster();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<SettingsException>(() => host.StartAsync());

        Assert.Contains("max-atributes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheNode_StartsAndStopsWithTheHost_AndIsTheSessionStore()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddSessionCluster();
        builder.Services.AddSession();
        using var host = builder.Build();
        var node = host.Services.GetRequiredService<SessionNode>();
        Assert.False(node.IsReady);

        await host.StartAsync();
        Assert.True(node.IsReady);
        Assert.Equal("ClusterSessionStore", host.Services.GetRequiredService<ISessionStore>().GetType().Name);

        await host.StopAsync();
        Assert.False(node.IsReady);
    }

    [Fact]
    public async Task CommandLineForm_TheBuildersConfigurationBecomesTheNodesStack_AndTheNodeBindsFromIt()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("hosting-conf-").FullName, "node.conf");
        File.WriteAllText(file, "session-cluster.sessions { max-attributes = 10, max-name-length = 30 }");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.AddSessionCluster(NodeCommandLine.Parse(["--config", file, "--session-cluster:sessions:max-name-length=20"], null));
        using var host = builder.Build();

        var providers = ((IConfigurationRoot)host.Services.GetRequiredService<IConfiguration>()).Providers.ToList();
        var settings = host.Services.GetRequiredService<SessionClusterSettings>().Sessions;

        Assert.Equal($"HoconConfigurationProvider for '{file}'", providers[0].ToString());
        Assert.Equal(10, settings.MaxAttributes);   // the --config file over reference.conf
        Assert.Equal(20, settings.MaxNameLength);   // the switch over the file
        Assert.Equal(SessionClusterSettings.Default.Sessions.MaxValueBytes, settings.MaxValueBytes);
        await host.StartAsync();
        Assert.Same(host.Services.GetRequiredService<SessionClusterSettings>(), host.Services.GetRequiredService<SessionNode>().Settings);
        await host.StopAsync();
    }

    [Fact]
    public void CommandLineForm_WithAConfigFileOption_IsRefused()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });

        var error = Assert.Throws<InvalidOperationException>(() =>
            builder.AddSessionCluster(NodeCommandLine.Parse([], null), options => options.ConfigFile = "cluster.conf"));

        Assert.Contains("AppConfigurationIsNodeConfiguration", error.Message, StringComparison.Ordinal);
    }
}
