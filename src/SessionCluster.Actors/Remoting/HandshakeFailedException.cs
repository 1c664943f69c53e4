using SessionCluster.Actors.Remoting.Wire;

namespace SessionCluster.Actors.Remoting;

/// <summary>A handshake that ended in a refusal, by either side: the reason code sent or received, and an explanation.</summary>
internal sealed class HandshakeFailedException(HandshakeRejectReason reason, string detail, string claimed = "")
    : Exception($"{reason}: {detail}")
{
    public HandshakeRejectReason Reason { get; } = reason;

    public string Detail { get; } = detail;

    /// <summary>Who the connector said it was, for the acceptor's log; empty if it said nothing readable.</summary>
    public string Claimed { get; } = claimed;
}
