using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Membership;

/// <summary>The reply to <see cref="Join"/>: the admitting member's gossip, which already lists the joiner as Joining.</summary>
/// <param name="To">The incarnation admitted; a newer incarnation on the same address ignores it.</param>
/// <param name="Gossip">The admitting member's view, listing the joiner as Joining.</param>
public sealed record Welcome(UniqueAddress To, Gossip Gossip);
