using System.Collections.Concurrent;
using SessionCluster.Actors.Runtime;

namespace SessionCluster.Actors.Sessions;

/// <summary>Which local entity holds which session: written only by the <see cref="SessionRegion"/>, read by anyone.</summary>
/// <remarks>
/// It lets <see cref="SessionClient"/> send a command straight to the entity instead of through the region's
/// mailbox, which saves a hop on every request and keeps the region from being a single-threaded bottleneck.
/// A reference read just before its session ended may point at a stopped entity; Ask then fails fast with
/// <see cref="ActorTerminatedException"/>, which the client reads as "no such session".
/// </remarks>
public sealed class SessionDirectory
{
    private readonly ConcurrentDictionary<SessionId, ActorRef> _entities = new();

    public int Count => _entities.Count;

    public bool TryGet(SessionId id, out ActorRef entity) => _entities.TryGetValue(id, out entity!);

    internal void Add(SessionId id, ActorRef entity) => _entities[id] = entity;

    internal bool Remove(SessionId id, out ActorRef entity) => _entities.TryRemove(id, out entity!);
}
