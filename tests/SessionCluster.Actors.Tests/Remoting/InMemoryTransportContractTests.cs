using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Tests.Remoting;

/// <summary>The transport contract on the in-memory network, on the system clock: zero-delay links deliver promptly.</summary>
public sealed class InMemoryTransportContractTests : TransportContractTests
{
    private readonly InMemoryNetwork _network = new(TimeProvider.System, seed: 1);

    /// <summary>The in-memory network has no frame limit; a megabyte stands for "large".</summary>
    protected override int LargeMessageBytes => 1024 * 1024;

    protected override NodeAddress UnreachableAddress() => new("nowhere", 1);

    protected override ITransport CreateTransport(string name, long uid) => _network.CreateTransport(new NodeAddress(name, 1), uid);

    protected override ITransport CreateIncarnation(ITransport old, long uid) => _network.CreateTransport(old.Self.Address, uid);
}
