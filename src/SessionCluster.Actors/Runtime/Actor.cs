namespace SessionCluster.Actors.Runtime;

/// <summary>Base class of every actor: state that is touched by one message at a time.</summary>
/// <remarks>
/// The runtime calls <see cref="Receive"/> for each message in mailbox order, never concurrently. An exception
/// thrown from any hook goes to the parent's <see cref="SupervisorStrategy"/>.
/// </remarks>
public abstract class Actor
{
    private IActorContext? _context;

    /// <summary>The actor's view of the runtime: self, sender, children, timers.</summary>
    protected IActorContext Context =>
        _context ?? throw new InvalidOperationException("The actor context is not available inside the constructor; use PreStart.");

    protected ActorRef Self => Context.Self;

    protected ActorRef Sender => Context.Sender;

    /// <summary>How this actor treats its failing children. The default restarts them, up to a limit.</summary>
    protected internal virtual SupervisorStrategy SupervisorStrategy => SupervisorStrategy.Default;

    internal void Bind(IActorContext context) => _context = context;

    /// <summary>Handles one message. Call <see cref="Unhandled"/> for messages the actor does not understand.</summary>
    protected internal abstract void Receive(object message);

    protected internal virtual void PreStart()
    {
    }

    protected internal virtual void PostStop()
    {
    }

    /// <summary>Called on the failed instance before it is replaced; by default stops the children and runs <see cref="PostStop"/>.</summary>
    protected internal virtual void PreRestart(Exception reason, object? message)
    {
        foreach (var child in Context.Children)
        {
            Context.Stop(child);
        }

        PostStop();
    }

    /// <summary>Called on the fresh instance after a restart; by default runs <see cref="PreStart"/>.</summary>
    protected internal virtual void PostRestart(Exception reason) => PreStart();

    /// <summary>Reports a message the actor did not handle as a dead letter.</summary>
    protected void Unhandled(object message) => Context.System.DeadLetters.Tell(new UnhandledMessage(message, Self), Sender);
}
