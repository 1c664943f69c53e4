using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Tests.Remoting;

/// <summary>The transport contract over real sockets on 127.0.0.1, each node on a port the kernel picks.</summary>
public sealed class TcpTransportContractTests : TransportContractTests
{
    /// <summary>Just under the frame limit: the envelope, the BytesValue wrapper and their lengths take a few bytes.</summary>
    protected override int LargeMessageBytes => TcpTestSettings.MaxFrameSize - 32;

    protected override NodeAddress UnreachableAddress() => TcpTestSettings.UnusedAddress();

    protected override ITransport CreateTransport(string name, long uid) =>
        new TcpTransport(TcpTestSettings.Loopback(), TestMessages.Serializer(), uid);

    protected override ITransport CreateIncarnation(ITransport old, long uid) =>
        new TcpTransport(TcpTestSettings.Loopback() with { Port = old.Self.Address.Port }, TestMessages.Serializer(), uid);
}
