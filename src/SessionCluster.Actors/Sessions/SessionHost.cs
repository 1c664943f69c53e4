using SessionCluster.Actors.Replication;

namespace SessionCluster.Actors.Sessions;

/// <summary>The node hosting sessions, as each of its session entities sees it: the limits it enforces, the route it
/// answers as, and the replica id its writes carry.</summary>
/// <remarks>One instance per node, shared by every <see cref="SessionSlot"/>: a slot holds one reference instead of
/// three, which matters at a million sessions.</remarks>
/// <param name="Settings">The session limits and lifetimes.</param>
/// <param name="Owner">The node's route: the <see cref="SessionSnapshot.Owner"/> of every answer.</param>
/// <param name="Replica">This node incarnation (the text of its <c>UniqueAddress</c>): the writer in every timestamp and
/// counter total its entities make, so a restarted node never counts on behind its previous incarnation's totals.</param>
/// <param name="Replicas">Where the entities send their deltas; null keeps no backup (a node alone, unit tests).</param>
public sealed record SessionHost(SessionSettings Settings, string Owner, ReplicaId Replica, IReplicaChannel? Replicas = null);
