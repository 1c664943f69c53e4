using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Membership;

/// <summary>The answer to a <see cref="Heartbeat"/>: proof of life of the sender.</summary>
public sealed record HeartbeatAck(UniqueAddress To);
