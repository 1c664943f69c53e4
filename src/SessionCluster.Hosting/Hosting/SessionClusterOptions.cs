namespace SessionCluster.Hosting;

/// <summary>How <c>AddSessionCluster</c> configures the node and the app around it; every cluster setting itself lives
/// in HOCON (<c>hocon/reference.conf</c> documents each one).</summary>
public sealed class SessionClusterOptions
{
    /// <summary>A HOCON file layered over reference.conf (e.g. <c>hocon/worker.conf</c>), relative to the working
    /// directory; null uses reference.conf alone, under the app's configuration.</summary>
    public string? ConfigFile { get; set; }

    /// <summary>Settings by HOCON path (<c>"sessions.max-attributes" = "64"</c>), over the file; the app's
    /// configuration still overrides them, so operators keep the last word through the environment and command line.</summary>
    public IDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether the <c>session-cluster</c> section of the app's <c>IConfiguration</c> (appsettings.json,
    /// <c>session-cluster__remote__port</c> variables, <c>--session-cluster:remote:port=</c> switches) overrides the
    /// file and <see cref="Settings"/>. Default true.</summary>
    public bool UseAppConfiguration { get; set; } = true;

    /// <summary>Whether ASP.NET Core's session middleware stores sessions in the cluster (its <c>ISessionStore</c>).
    /// Default true; the app still calls <c>AddSession()</c> and <c>UseSession()</c>.</summary>
    public bool UseAsSessionStore { get; set; } = true;

    /// <summary>The cookie that carries the route of the session's home node for a sticky external balancer (see
    /// <c>deploy/</c>); null or empty sends none. Default <c>SESSIONROUTE</c>.</summary>
    public string? RouteCookieName { get; set; } = "SESSIONROUTE";

    /// <summary>Whether every node derives the same Data Protection key from the cluster secret
    /// (<c>remote.secret</c>), so that a session cookie issued by one node is read by all. Only when a secret is set;
    /// turn it off if the app shares its key ring some other way. Default true.</summary>
    public bool ShareDataProtectionKeys { get; set; } = true;

    /// <summary>Whether every request is counted (<c>requestsTotal</c> of <c>GET /cluster/node</c>) and the session
    /// contract's requests measured for <c>/metrics</c>, by one middleware put first in the app's pipeline. Default true;
    /// off, the app may place <c>app.UseSessionClusterRequestMetrics()</c> itself.</summary>
    public bool MeasureRequests { get; set; } = true;

    /// <summary>Whether Kestrel takes its limits (header and body sizes, connections, timeouts) from
    /// <c>session-cluster.http</c>. Default false: an ordinary app keeps its own Kestrel settings; a node process sets it.</summary>
    public bool ApplyKestrelLimits { get; set; }

    /// <summary>Whether the app's <c>IConfiguration</c> already is the node's whole configuration, with reference.conf
    /// at its bottom (what <c>builder.AddSessionCluster(NodeCommandLine)</c> makes of it): the node then binds from it
    /// as it is, and <see cref="ConfigFile"/>, <see cref="Settings"/> and <see cref="UseAppConfiguration"/> do not
    /// apply (setting them is an error). Default false.</summary>
    public bool AppConfigurationIsNodeConfiguration { get; set; }
}
