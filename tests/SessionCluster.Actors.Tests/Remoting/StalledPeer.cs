using System.Net;
using System.Net.Sockets;
using SessionCluster.Actors.Remoting;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Remoting;

/// <summary>A peer that completes the acceptor's handshake and then never reads again: its small receive buffer, then
/// the sender's socket buffer, fill, and the sender's next write cannot finish.</summary>
internal sealed class StalledPeer : IAsyncDisposable
{
    private readonly Socket _listener;
    private Socket? _connection;
    private NetworkStream? _stream;

    public StalledPeer()
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen();
        Address = new NodeAddress("127.0.0.1", ((IPEndPoint)_listener.LocalEndPoint!).Port);
    }

    public NodeAddress Address { get; }

    /// <summary>Accepts the sender's connection (send it something first) and answers its handshake.</summary>
    public async Task AcceptAsync(RemoteSettings settings)
    {
        using var deadline = new CancellationTokenSource(Eventually.DefaultDeadline);
        _connection = await _listener.AcceptAsync(deadline.Token);
        _stream = new NetworkStream(_connection);
        await TcpHandshake.AcceptAsync(_stream, new FrameReader(_stream, 512), settings, new UniqueAddress(Address, 9), deadline.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }

        _connection?.Dispose();
        _listener.Dispose();
    }
}
