namespace SessionCluster.Actors.Runtime;

/// <summary>Delivered to a watcher when a watched actor has stopped.</summary>
public sealed record Terminated(ActorRef Actor);

/// <summary>Stops the receiving actor once the messages before it are handled.</summary>
public sealed class PoisonPill
{
    public static readonly PoisonPill Instance = new();

    private PoisonPill()
    {
    }
}

/// <summary>A reply that carries a failure; <see cref="AskExtensions.Ask{T}"/> rethrows it.</summary>
public sealed record StatusFailure(Exception Cause);

/// <summary>A message that reached no actor: its target was stopped or did not understand it.</summary>
public sealed record DeadLetter(object Message, ActorRef? Sender, ActorRef Recipient);

/// <summary>A message an actor passed to <see cref="Actor"/>'s Unhandled.</summary>
public sealed record UnhandledMessage(object Message, ActorRef Recipient);
