using System.Text;
using SessionCluster.Actors.Membership;

namespace SessionCluster.Actors.Hosting;

/// <summary>Derives a node's route name, the cookie suffix an external sticky balancer keys on.</summary>
public static class NodeRoute
{
    /// <summary>The configured route if set, else <c>host-port</c> of the first HTTP URL (e.g. <c>localhost-5000</c>).</summary>
    public static string Resolve(string configured, string? urls)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Validate(configured);
        }

        var first = (urls ?? "http://localhost:5000").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "http://localhost:5000";
        var hostAndPort = first.Contains("://", StringComparison.Ordinal) ? first[(first.IndexOf("://", StringComparison.Ordinal) + 3)..] : first;
        hostAndPort = hostAndPort.TrimEnd('/');
        var builder = new StringBuilder(hostAndPort.Length);
        foreach (var c in hostAndPort)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-');
        }

        var derived = builder.ToString().Trim('-');
        return derived.Length == 0 ? "node" : derived[..Math.Min(derived.Length, RouteName.MaxLength)].TrimEnd('-');
    }

    /// <summary>A route goes into a cookie after a dot, so it may hold letters, digits, '-' and '_' only.</summary>
    public static string Validate(string route)
    {
        if (!RouteName.IsValid(route))
        {
            throw new SettingsException(
                $"session-cluster.node.route: '{route}' is not a valid route; use 1 to {RouteName.MaxLength} letters, digits, '-' or '_'.");
        }

        return route;
    }
}
