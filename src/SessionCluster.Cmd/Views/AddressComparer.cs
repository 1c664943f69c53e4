using System.Globalization;

namespace SessionCluster.Cmd.Views;

/// <summary>Orders <c>host:port</c> addresses by host, then by port as a number (so <c>:9000</c> comes before <c>:10000</c>).</summary>
public sealed class AddressComparer : IComparer<string>
{
    public static readonly AddressComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return string.CompareOrdinal(x, y);
        }

        var (hostX, portX) = Split(x);
        var (hostY, portY) = Split(y);
        var byHost = string.CompareOrdinal(hostX, hostY);
        return byHost != 0 ? byHost : portX != portY ? portX.CompareTo(portY) : string.CompareOrdinal(x, y);
    }

    private static (string Host, long Port) Split(string address)
    {
        var colon = address.LastIndexOf(':');
        return colon > 0 && long.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            ? (address[..colon], port)
            : (address, -1);
    }
}
