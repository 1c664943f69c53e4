using System.Net.Sockets;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Tests.Remoting;

/// <summary>A hand-driven TCP client for feeding a transport bytes no well-behaved node would send.</summary>
internal sealed class RawPeer : IDisposable
{
    private RawPeer(Socket socket)
    {
        Socket = socket;
        Stream = new NetworkStream(socket, ownsSocket: false);
    }

    public Socket Socket { get; }

    /// <summary>The socket as a stream (what the transport's handshake and frame reader take).</summary>
    public NetworkStream Stream { get; }

    public static async Task<RawPeer> Connect(NodeAddress to)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(to.Host, to.Port);
        return new RawPeer(socket);
    }

    /// <summary>Runs a correct connector handshake, so that what follows is judged as data frames.</summary>
    public async Task<UniqueAddress> Handshake(RemoteSettings settings, UniqueAddress claimed)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await TcpHandshake.ConnectAsync(Stream, new FrameReader(Stream, 512), settings, claimed, timeout.Token);
    }

    public async Task Write(byte[] bytes) => await Stream.WriteAsync(bytes);

    /// <summary>True once the other side has closed: a receive returns 0 bytes or fails. Bytes it sends are skipped.</summary>
    public async Task<bool> IsClosedWithin(TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        var buffer = new byte[4096];
        try
        {
            while (await Socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        Stream.Dispose();
        Socket.Dispose();
    }
}
