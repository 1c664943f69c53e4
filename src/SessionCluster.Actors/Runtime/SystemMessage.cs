namespace SessionCluster.Actors.Runtime;

/// <summary>Lifecycle messages; they overtake user messages in a mailbox.</summary>
internal abstract record SystemMessage
{
    internal sealed record Stop : SystemMessage
    {
        public static readonly Stop Instance = new();
    }

    internal sealed record Watch(LocalActorRef Watcher) : SystemMessage;

    internal sealed record Unwatch(LocalActorRef Watcher) : SystemMessage;

    /// <summary>A watched actor stopped; becomes a <see cref="Terminated"/> in the watcher's mailbox.</summary>
    internal sealed record DeathWatchNotification(ActorRef Actor) : SystemMessage;

    internal sealed record ChildTerminated(LocalActorRef Child) : SystemMessage;

    /// <summary>A child escalated its failure: the receiver fails with the same exception.</summary>
    internal sealed record Failed(ActorRef Child, Exception Cause) : SystemMessage;
}

/// <summary>A user message and its sender, as held in a mailbox.</summary>
internal readonly record struct Envelope(object Message, ActorRef? Sender);

/// <summary>A timer's message on its way to the owner; dropped if the timer was cancelled or replaced meanwhile.</summary>
internal sealed record TimerFired(object Key, long Generation, object Message);
