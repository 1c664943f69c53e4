using System.Globalization;

namespace SessionCluster.Actors.Remoting;

/// <summary>Where a node listens for cluster traffic: host and TCP port, written <c>host:port</c>.</summary>
public sealed record NodeAddress(string Host, int Port) : IComparable<NodeAddress>
{
    /// <summary>Parses <c>host:port</c> (IPv6 hosts in brackets); throws <see cref="FormatException"/> naming the input.</summary>
    public static NodeAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1 ||
            !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new FormatException($"'{text}' is not a node address: expected host:port with a port from 0 to 65535.");
        }

        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        return new NodeAddress(host, port);
    }

    /// <summary>Orders by host, then port: the tie-breaker every node computes the same way.</summary>
    public int CompareTo(NodeAddress? other) =>
        other is null ? 1 : string.CompareOrdinal(Host, other.Host) is var byHost and not 0 ? byHost : Port.CompareTo(other.Port);

    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}

/// <summary>One incarnation of a node: its address plus a uid drawn at process start, so a restarted node on the
/// same address is told apart from the one that died.</summary>
public sealed record UniqueAddress(NodeAddress Address, long Uid) : IComparable<UniqueAddress>
{
    public int CompareTo(UniqueAddress? other) =>
        other is null ? 1 : Address.CompareTo(other.Address) is var byAddress and not 0 ? byAddress : Uid.CompareTo(other.Uid);

    public override string ToString() => $"{Address}#{Uid}";
}
