using SessionCluster.Actors.Runtime;

namespace SessionCluster.Actors.Sessions;

/// <summary>A directory entry: a session's entity and when it was last accessed, the hint the region's expiry sweep reads.</summary>
/// <remarks>
/// Only the entity writes the time; the sweep only reads it, and an entity it suspects is asked to check itself, so
/// the entity stays the one authority on its session. One sweep per region instead of a timer per session saves
/// about 300 bytes per session (a timer, its queue entry and its message), which matters at a million sessions.
/// </remarks>
public sealed class SessionSlot
{
    private long _lastAccessedTicks;

    internal SessionSlot(DateTimeOffset created) => _lastAccessedTicks = created.UtcTicks;

    /// <summary>The entity holding the session.</summary>
    public ActorRef Entity { get; internal set; } = null!;

    public DateTimeOffset LastAccessed => new(Volatile.Read(ref _lastAccessedTicks), TimeSpan.Zero);

    internal void Touch(DateTimeOffset now) => Volatile.Write(ref _lastAccessedTicks, now.UtcTicks);
}
