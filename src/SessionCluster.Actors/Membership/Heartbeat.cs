using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Membership;

/// <summary>Sent every heartbeat interval to each monitored node; proof of life of the sender, answered by a
/// <see cref="HeartbeatAck"/>.</summary>
/// <param name="To">The incarnation monitored: a new incarnation on the address does not answer for the old one.</param>
public sealed record Heartbeat(UniqueAddress To);
