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
    private readonly ConcurrentDictionary<SessionId, SessionSlot> _slots = new();

    public int Count => _slots.Count;

    public bool TryGet(SessionId id, out ActorRef entity)
    {
        if (_slots.TryGetValue(id, out var slot))
        {
            entity = slot.Entity;
            return true;
        }

        entity = null!;
        return false;
    }

    /// <summary>Every live slot; a snapshot-free walk that tolerates concurrent changes, for the expiry sweep.</summary>
    internal IEnumerable<SessionSlot> Slots => _slots.Values;

    internal void Add(SessionId id, SessionSlot slot) => _slots[id] = slot;

    internal bool Remove(SessionId id, out ActorRef entity)
    {
        if (_slots.TryRemove(id, out var slot))
        {
            entity = slot.Entity;
            return true;
        }

        entity = null!;
        return false;
    }
}
