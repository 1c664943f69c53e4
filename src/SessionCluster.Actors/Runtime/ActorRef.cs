namespace SessionCluster.Actors.Runtime;

/// <summary>An address to which messages can be sent; the only way to talk to an actor.</summary>
/// <remarks>Two references are equal when they point at the same actor incarnation.</remarks>
public abstract class ActorRef
{
    /// <summary>The actor's path, for example <c>/user/sessions/3f2a…</c>.</summary>
    public abstract string Path { get; }

    /// <summary>Enqueues <paramref name="message"/> for the actor; never blocks and never throws for a dead target.</summary>
    public abstract void Tell(object message, ActorRef? sender = null);

    /// <summary>As <see cref="Tell"/>, for callers outside any actor: an idle local actor may handle the message on the
    /// calling thread before this returns.</summary>
    internal virtual void TellAndRunHereIfIdle(object message, ActorRef? sender) => Tell(message, sender);

    /// <summary>The system the actor lives in, when it is a local actor; used for its clock.</summary>
    internal virtual ActorSystem? System => null;

    /// <summary>Delivers a message while keeping the original sender, so replies go straight to it.</summary>
    public void Forward(object message, IActorContext context) => Tell(message, context.Sender);

    public override string ToString() => Path;
}
