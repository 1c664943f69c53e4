using System.Collections.Immutable;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Replication;

/// <summary>Where a shard's deltas go right now: its backups, the epoch they serve under, and how many must acknowledge
/// a write before its reply leaves.</summary>
public readonly record struct ReplicaTargets(long Epoch, ImmutableArray<NodeAddress> Backups, int RequiredAcks);
