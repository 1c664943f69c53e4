using System.Net;
using System.Net.Sockets;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Tests.Remoting;

/// <summary>Settings and addresses for TCP transport tests: loopback only, any free port, fast reconnects.</summary>
public static class TcpTestSettings
{
    public const int MaxFrameSize = 256 * 1024;

    /// <summary>127.0.0.1, port 0, a secret, a 256 KiB frame limit and reconnect backoff of 20–500 ms so a restarted
    /// peer is reached quickly.</summary>
    public static RemoteSettings Loopback() => new(
        Hostname: "127.0.0.1",
        Port: 0,
        ClusterName: "test-cluster",
        Secret: "test-secret",
        MaxFrameSize: MaxFrameSize,
        OutboundQueueSize: 16_384,
        BatchMaxMessages: 1024,
        BatchMaxBytes: 64 * 1024,
        ConnectTimeout: TimeSpan.FromSeconds(5),
        HandshakeTimeout: TimeSpan.FromSeconds(5),
        WriteTimeout: TimeSpan.FromSeconds(5),
        ReconnectBackoffMin: TimeSpan.FromMilliseconds(20),
        ReconnectBackoffMax: TimeSpan.FromMilliseconds(500));

    /// <summary>A loopback port nothing listens on: bound by the kernel's choice, then released.</summary>
    public static NodeAddress UnusedAddress()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return new NodeAddress("127.0.0.1", ((IPEndPoint)socket.LocalEndPoint!).Port);
    }
}
