using SessionCluster.Actors.Runtime;

namespace SessionCluster.Actors.Sessions;

/// <summary>One hosted session: its entity, its state, and when it was last accessed, the hint the region's expiry sweep reads.</summary>
/// <remarks>
/// The slot is also the entity's constructor argument (see <see cref="Props.Create{TArgument}(Func{TArgument, Actor}, TArgument)"/>), so a session costs
/// no closure. Only the entity writes the access time and the state; the sweep only reads the time, and an entity it
/// suspects is asked to check itself, so the entity stays the one authority on its session. One sweep per region
/// instead of a timer per session saves about 300 bytes per session, which matters at a million sessions.
/// </remarks>
public sealed class SessionSlot
{
    private long _lastAccessedTicks;
    private ActorRef? _entity;

    internal SessionSlot(SessionState state, SessionSettings settings, string owner)
    {
        State = state;
        Settings = settings;
        Owner = owner;
        _lastAccessedTicks = state.Created.UtcTicks;
    }

    /// <summary>The entity holding the session; null while passivated or handed off (the region starts one on demand).</summary>
    public ActorRef? Entity
    {
        get => Volatile.Read(ref _entity);
        internal set => Volatile.Write(ref _entity, value);
    }

    public DateTimeOffset LastAccessed => new(Volatile.Read(ref _lastAccessedTicks), TimeSpan.Zero);

    internal SessionState State { get; }

    internal SessionSettings Settings { get; }

    internal string Owner { get; }

    internal void Touch(DateTimeOffset now) => Volatile.Write(ref _lastAccessedTicks, now.UtcTicks);
}
