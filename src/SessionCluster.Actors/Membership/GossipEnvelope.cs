using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Membership;

/// <summary>One gossip exchange: the sender's whole membership state, for one incarnation of the receiver.</summary>
/// <remarks>The receiver merges it and replies with its own state when the sender lacks something (push-pull), so one
/// exchange brings both ends up to date. <paramref name="To"/> keeps gossip meant for a dead incarnation away from a
/// new one on the same address.</remarks>
public sealed record GossipEnvelope(UniqueAddress To, Gossip Gossip);
