using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Runtime;

namespace SessionCluster.Actors.Sessions;

/// <summary>One hosted session: its entity and its replicated state, whose last access the region's expiry sweep reads.</summary>
/// <remarks>
/// The slot is also the entity's constructor argument (see <see cref="Props.Create{TArgument}(Func{TArgument, Actor}, TArgument)"/>), so a session costs
/// no closure. Only the entity replaces the state (an immutable <see cref="SessionCrdt"/>, a new one per change); the
/// sweep and a hand-off only read it, and an entity the sweep suspects is asked to check itself, so the entity stays
/// the one authority on its session. One sweep per region instead of a timer per session saves about 300 bytes per
/// session, which matters at a million sessions; so does keeping what every session of the node shares in one
/// <see cref="SessionHost"/>.
/// </remarks>
public sealed class SessionSlot
{
    private SessionCrdt _state;
    private ActorRef? _entity;

    internal SessionSlot(SessionCrdt state, SessionHost host)
    {
        _state = state;
        Host = host;
    }

    /// <summary>The entity holding the session; null while passivated or handed off (the region starts one on demand).</summary>
    public ActorRef? Entity
    {
        get => Volatile.Read(ref _entity);
        internal set => Volatile.Write(ref _entity, value);
    }

    public DateTimeOffset LastAccessed => State.LastAccessed;

    /// <summary>The session as its entity last left it; read from any thread (the state is immutable).</summary>
    internal SessionCrdt State
    {
        get => Volatile.Read(ref _state);
        set => Volatile.Write(ref _state, value);
    }

    internal SessionHost Host { get; }

    internal SessionId Id => new(State.Id);
}
