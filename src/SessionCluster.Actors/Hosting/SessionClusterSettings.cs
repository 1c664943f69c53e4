using Microsoft.Extensions.Configuration;
using SessionCluster.Actors.Management;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.Actors.Hosting;

/// <summary>All settings of a node, read once from configuration into immutable records.</summary>
public sealed record SessionClusterSettings(NodeSettings Node, SessionSettings Sessions, RemoteSettings Remote, ClusterSettings Cluster, ShardingSettings Sharding, ReplicationSettings Replication)
{
    /// <summary>The root of every setting in HOCON and in <see cref="IConfiguration"/>.</summary>
    public const string Root = "session-cluster";

    private static readonly Lazy<SessionClusterSettings> ReferenceDefaults =
        new(() => Load(new ConfigurationBuilder().AddReferenceConfiguration().Build()));

    /// <summary>Who may use the management API (<c>session-cluster.management</c>).</summary>
    public ManagementSettings Management { get; init; } = ManagementSettings.Disabled;

    /// <summary>The settings of reference.conf alone.</summary>
    public static SessionClusterSettings Default => ReferenceDefaults.Value;

    /// <summary>Binds and validates every setting; throws <see cref="SettingsException"/> naming the first bad key.</summary>
    public static SessionClusterSettings Load(IConfiguration configuration)
    {
        var reader = new SettingsReader(configuration);
        reader.RejectUnknownKeys();
        var remote = RemoteSettings.Load(configuration);
        var settings = new SessionClusterSettings(
            new NodeSettings(
                reader.String("node.route", allowEmpty: true),
                reader.StringList("node.roles", ["worker", "front", "lighthouse"])),
            new SessionSettings(
                reader.String("sessions.cookie-name", mustBeToken: true),
                reader.Duration("sessions.max-inactive-interval", allowZero: true),
                reader.Size("sessions.max-value-size", min: 1, max: int.MaxValue),
                reader.Int("sessions.max-attributes", min: 1, max: 1_000_000),
                reader.Size("sessions.max-session-size", min: 1, max: int.MaxValue),
                reader.Int("sessions.max-name-length", min: 1, max: 65_536),
                RequestTimeout(reader),
                reader.Duration("sessions.expiry-check-interval", allowZero: false))
            {
                CookieSecureAlways = reader.OneOf("sessions.cookie-secure", ["auto", "always"]) == "always",
                MaxRemovedAttributes = reader.Int("sessions.max-removed-attributes", min: 0, max: 1_000_000),
                MaxActiveSessions = reader.Int("sessions.max-active-sessions", min: 0, max: int.MaxValue),
            },
            remote,
            ClusterSettings.Read(reader),
            ShardingSettings.Read(reader, remote.MaxFrameSize),
            ReplicationSettings.Read(reader));
        return settings with { Http = HttpSettings.Read(reader, settings.Sessions.MaxValueBytes), Management = ManagementSettings.Read(reader) };
    }

    /// <summary><c>sessions.request-timeout</c>: a retried increment must come while its first attempt is still
    /// remembered (<see cref="RecentIncrements.MaxRequestTimeout"/>), or it would be counted twice.</summary>
    private static TimeSpan RequestTimeout(SettingsReader reader)
    {
        const string path = "sessions.request-timeout";
        var timeout = reader.Duration(path, allowZero: false);
        if (timeout > RecentIncrements.MaxRequestTimeout)
        {
            throw reader.Inconsistent(
                path,
                $"at most {RecentIncrements.MaxRequestTimeout.TotalSeconds:0}s, so that a retried increment is still recognised (a session remembers its increments for {RecentIncrements.Retention.TotalSeconds:0}s)");
        }

        return timeout;
    }

    /// <summary>The HTTP server's limits (<c>session-cluster.http</c>), read by <see cref="Load"/>.</summary>
    public HttpSettings Http { get; init; } = null!;
}
