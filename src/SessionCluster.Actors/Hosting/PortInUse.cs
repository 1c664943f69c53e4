using System.Net.Sockets;

namespace SessionCluster.Actors.Hosting;

/// <summary>Recognises a node that could not start because one of its ports (HTTP, management or cluster) is taken,
/// so the host can say so in one line instead of an unhandled exception's stack trace.</summary>
public static class PortInUse
{
    /// <summary>One line for the operator if <paramref name="error"/> (or an exception inside it) is a port already in
    /// use; otherwise null.</summary>
    public static string? Describe(Exception error)
    {
        // Kestrel and the cluster transport wrap the socket's error in an IOException that names the address.
        IOException? named = null;
        for (var current = error; current is not null; current = current.InnerException)
        {
            if (current is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } or Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                var what = named is not null ? named.Message.TrimEnd('.') : $"a port is already in use ({current.Message.TrimEnd('.')})";
                return $"{what}: another process, perhaps another node, listens there; choose another port (--http or --urls for HTTP, --port for the cluster)";
            }

            named ??= current as IOException;
        }

        return null;
    }
}
