using Microsoft.AspNetCore.Server.Kestrel.Core;
using SessionCluster.Actors.Hosting;

namespace SessionCluster.Hosting.Http;

/// <summary>Applies <c>session-cluster.http</c> to Kestrel: header and body sizes, connection count, and timeouts.</summary>
public static class KestrelLimits
{
    public static void Apply(KestrelServerOptions options, HttpSettings http)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(http);
        var limits = options.Limits;
        limits.MaxRequestHeadersTotalSize = http.MaxRequestHeadersBytes;
        limits.MaxRequestHeaderCount = http.MaxRequestHeaderCount;
        limits.MaxRequestLineSize = Math.Min(limits.MaxRequestLineSize, http.MaxRequestHeadersBytes);
        limits.MaxRequestBodySize = http.MaxRequestBodyBytes;
        limits.MaxConcurrentConnections = http.MaxConcurrentConnections == 0 ? null : http.MaxConcurrentConnections;
        limits.KeepAliveTimeout = http.KeepAliveTimeout;
        limits.RequestHeadersTimeout = http.RequestHeadersTimeout;
    }
}
