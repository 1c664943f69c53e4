using System.Collections.Concurrent;

namespace SessionCluster.Actors.Sessions;

/// <summary>The sessions of one hosted shard, by id: written only by the region, read by anyone.</summary>
public sealed class SessionDirectory
{
    private readonly ConcurrentDictionary<SessionId, SessionSlot> _slots = new();

    public int Count => _slots.Count;

    public bool TryGet(SessionId id, out SessionSlot slot) => _slots.TryGetValue(id, out slot!);

    /// <summary>Every slot; a snapshot-free walk that tolerates concurrent changes, for sweeps and hand-off.</summary>
    internal IEnumerable<SessionSlot> Slots => _slots.Values;

    internal void Add(SessionId id, SessionSlot slot) => _slots[id] = slot;

    internal bool Remove(SessionId id, out SessionSlot slot) => _slots.TryRemove(id, out slot!);
}
