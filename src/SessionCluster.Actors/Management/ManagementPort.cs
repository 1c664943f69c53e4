namespace SessionCluster.Actors.Management;

/// <summary>Where the management API listens when <see cref="ManagementSettings.Port"/> gives it its own port: the host
/// of the node's first HTTP URL, on that port.</summary>
public static class ManagementPort
{
    /// <summary><paramref name="urls"/> (ASP.NET's <c>;</c>-separated list) with the management URL added, or unchanged
    /// when <paramref name="port"/> is 0.</summary>
    public static string AddTo(string urls, int port)
    {
        ArgumentNullException.ThrowIfNull(urls);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        if (port == 0)
        {
            return urls;
        }

        var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "http://localhost";
        var schemeEnd = first.IndexOf("://", StringComparison.Ordinal);
        var scheme = schemeEnd > 0 ? first[..schemeEnd] : "http";
        var authority = schemeEnd > 0 ? first[(schemeEnd + 3)..] : first;
        var slash = authority.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            authority = authority[..slash];
        }

        // The port is after the last colon, unless that colon is inside an IPv6 literal ([::1]).
        var colon = authority.LastIndexOf(':');
        var host = colon > authority.LastIndexOf(']') ? authority[..colon] : authority;
        return $"{urls};{scheme}://{host}:{port}";
    }
}
