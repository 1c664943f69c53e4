using Microsoft.Extensions.Configuration;
using SessionCluster.Actors.Hosting;

namespace SessionCluster.Actors.Tests.Hosting;

/// <summary>session-cluster.http: the defaults of reference.conf, and a body limit below the largest value refused.</summary>
public sealed class HttpSettingsTests
{
    [Fact]
    public void Defaults_come_from_reference_conf()
    {
        Assert.Equal(
            new HttpSettings(32 * 1024, 100, 128 * 1024, 10_000, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(10)),
            SessionClusterSettings.Default.Http);
    }

    [Fact]
    public void The_shutdown_delay_is_none_by_default_and_bound_from_the_configuration()
    {
        Assert.Equal(TimeSpan.Zero, SessionClusterSettings.Default.Http.ShutdownDelay);
        var configuration = new ConfigurationBuilder()
            .AddReferenceConfiguration()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["session-cluster:http:shutdown-delay"] = "2s" })
            .Build();

        Assert.Equal(TimeSpan.FromSeconds(2), SessionClusterSettings.Load(configuration).Http.ShutdownDelay);
    }

    [Fact]
    public void A_body_limit_below_max_value_size_is_refused_naming_both_keys()
    {
        var configuration = new ConfigurationBuilder()
            .AddReferenceConfiguration()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["session-cluster:http:max-request-body-size"] = "1KiB" })
            .Build();

        var error = Assert.Throws<SettingsException>(() => SessionClusterSettings.Load(configuration));
        Assert.Contains("session-cluster.http.max-request-body-size", error.Message);
        Assert.Contains("session-cluster.sessions.max-value-size", error.Message);
    }
}
