namespace SessionCluster.Actors.Hosting;

/// <summary>Limits of a node's HTTP server (Kestrel), bound from <c>session-cluster.http</c>; defaults live in reference.conf.</summary>
/// <param name="MaxRequestHeadersBytes">Largest total size of a request's line and headers (431 beyond).</param>
/// <param name="MaxRequestHeaderCount">Most headers in one request (431 beyond).</param>
/// <param name="MaxRequestBodyBytes">Largest request body (413 beyond); at least <c>sessions.max-value-size</c>.</param>
/// <param name="MaxConcurrentConnections">Most connections open at once; further ones are closed at accept. 0: no limit.</param>
/// <param name="KeepAliveTimeout">How long an idle keep-alive connection is kept.</param>
/// <param name="RequestHeadersTimeout">How long a client may take to send a request's headers (slow-loris).</param>
public sealed record HttpSettings(
    int MaxRequestHeadersBytes,
    int MaxRequestHeaderCount,
    int MaxRequestBodyBytes,
    int MaxConcurrentConnections,
    TimeSpan KeepAliveTimeout,
    TimeSpan RequestHeadersTimeout)
{
    /// <summary>How long a node asked to stop keeps serving HTTP, not ready and closing every connection after its
    /// response, before its server stops: the time a balancer in front needs to stop sending it requests. 0: none.</summary>
    public TimeSpan ShutdownDelay { get; init; }

    /// <summary>Binds <c>session-cluster.http</c>; <paramref name="maxValueBytes"/> is the floor of the body limit.</summary>
    internal static HttpSettings Read(SettingsReader reader, int maxValueBytes)
    {
        var settings = new HttpSettings(
            reader.Size("http.max-request-headers-size", min: 1024, max: 16 * 1024 * 1024),
            reader.Int("http.max-request-header-count", min: 8, max: 100_000),
            reader.Size("http.max-request-body-size", min: 1, max: int.MaxValue),
            reader.Int("http.max-concurrent-connections", min: 0, max: 10_000_000),
            reader.Duration("http.keep-alive-timeout", allowZero: false),
            reader.Duration("http.request-headers-timeout", allowZero: false))
        {
            ShutdownDelay = reader.Duration("http.shutdown-delay", allowZero: true),
        };
        if (settings.MaxRequestBodyBytes < maxValueBytes)
        {
            throw reader.Inconsistent("http.max-request-body-size", $"must be at least {SessionClusterSettings.Root}.sessions.max-value-size ({maxValueBytes} bytes)");
        }

        return settings;
    }
}
