using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace SessionCluster.Cmd.Api;

/// <summary>The HTTP base address of the node sessionctl asks, from <c>--node</c>: <c>host:port</c>, or a whole <c>http(s)://host:port</c> URL.</summary>
public static class NodeEndpoint
{
    public const string Default = "localhost:5000";

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says what is wrong and what is expected.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out Uri? baseAddress, [NotNullWhen(false)] out string? error)
    {
        baseAddress = null;
        var trimmed = text.Trim();
        var candidate = trimmed.Contains("://", StringComparison.Ordinal) ? trimmed : "http://" + trimmed;
        if (!Uri.TryCreate(candidate, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Host.Length == 0)
        {
            error = $"--node '{text}' is not a node address: expected host:port (e.g. 127.0.0.1:5000) or http://host:port.";
            return false;
        }

        if (uri.PathAndQuery != "/" || uri.Fragment.Length > 0)
        {
            error = $"--node '{text}' has a path; give only host:port (the API lives under /cluster/ on every node).";
            return false;
        }

        baseAddress = new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
        error = null;
        return true;
    }

    /// <summary>True when <paramref name="text"/> looks like a cluster address <c>host:port</c> as <c>/cluster/members</c> writes them.</summary>
    public static bool IsClusterAddress(string text)
    {
        var colon = text.LastIndexOf(':');
        return colon > 0
            && colon < text.Length - 1
            && !text.Contains('/', StringComparison.Ordinal)
            && !text.Any(char.IsWhiteSpace)
            && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port is > 0 and <= 65535;
    }
}
