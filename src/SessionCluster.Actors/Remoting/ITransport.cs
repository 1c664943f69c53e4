namespace SessionCluster.Actors.Remoting;

/// <summary>Moves messages between nodes. Implementations: <see cref="InMemoryTransport"/> for simulations and a TCP one.</summary>
/// <remarks>
/// Delivery is at most once and, per pair of nodes, in send order unless a fault is injected; protocols above must
/// tolerate loss, duplication and reordering anyway, since connections break. <see cref="Send"/> never blocks: a
/// message that cannot be queued is dropped and counted, which the protocols above treat like network loss.
/// </remarks>
public interface ITransport : IAsyncDisposable
{
    /// <summary>This node's address and incarnation; with port 0 requested, the port actually bound.</summary>
    UniqueAddress Self { get; }

    /// <summary>Starts accepting messages; each inbound message goes to <paramref name="handler"/>, one at a time per sender.</summary>
    Task StartAsync(ITransportHandler handler, CancellationToken cancellationToken);

    /// <summary>Queues <paramref name="message"/> for <paramref name="to"/>; false if it was dropped (queue full, stopped).</summary>
    bool Send(NodeAddress to, object message);
}

/// <summary>Receives what a transport delivers, and the refused connections it meets on the way.</summary>
/// <remarks>Called from the transport's threads (one message at a time per sender); implementations must not block.</remarks>
public interface ITransportHandler
{
    void OnMessage(UniqueAddress from, object message);

    /// <summary>An attempt to connect to <paramref name="peer"/> was refused: its host answered, but nothing listens on
    /// that port, so the process there is gone (crashed or stopped). Unlike silence, which a partition gives too, this is
    /// strong evidence of a dead process. Reported once per failed attempt; attempts are backed off, so this is rare.</summary>
    void OnConnectionRefused(NodeAddress peer);
}
