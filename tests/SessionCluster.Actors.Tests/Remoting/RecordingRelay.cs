using System.Net;
using System.Net.Sockets;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Tests.Remoting;

/// <summary>A TCP relay on loopback that forwards one connection to a target and records the bytes of each direction:
/// an eavesdropper's capture of a real exchange, to be replayed later.</summary>
internal sealed class RecordingRelay : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly MemoryStream _toTarget = new();
    private readonly MemoryStream _fromTarget = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    public RecordingRelay(NodeAddress target)
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen();
        Address = new NodeAddress("127.0.0.1", ((IPEndPoint)_listener.LocalEndPoint!).Port);
        _run = RunAsync(target);
    }

    /// <summary>Where clients connect to be relayed.</summary>
    public NodeAddress Address { get; }

    /// <summary>Everything the client sent the target so far.</summary>
    public byte[] ClientToTarget()
    {
        lock (_toTarget)
        {
            return _toTarget.ToArray();
        }
    }

    /// <summary>Everything the target sent the client so far.</summary>
    public byte[] TargetToClient()
    {
        lock (_fromTarget)
        {
            return _fromTarget.ToArray();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _run;
        }
        catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task RunAsync(NodeAddress target)
    {
        using var client = await _listener.AcceptAsync(_stop.Token);
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await server.ConnectAsync(target.Host, target.Port, _stop.Token);
        await Task.WhenAll(PumpAsync(client, server, _toTarget), PumpAsync(server, client, _fromTarget));
    }

    private async Task PumpAsync(Socket from, Socket to, MemoryStream record)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token)) > 0)
            {
                lock (record)
                {
                    record.Write(buffer, 0, read);
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // One side closed or the relay stops.
        }
    }
}
