namespace SessionCluster.Actors.Runtime;

/// <summary>What an actor may do while it handles a message: reply, create and stop children, watch, set timers.</summary>
public interface IActorContext
{
    ActorRef Self { get; }

    /// <summary>The sender of the message being handled, or <see cref="ActorSystem.DeadLetters"/> when there is none.</summary>
    ActorRef Sender { get; }

    ActorRef Parent { get; }

    ActorSystem System { get; }

    /// <summary>The live children, in no particular order.</summary>
    IReadOnlyCollection<ActorRef> Children { get; }

    /// <summary>Timers owned by this actor; they deliver messages to it and die with it.</summary>
    ITimerScheduler Timers { get; }

    /// <summary>Creates a child; the name must be unique among the live children.</summary>
    ActorRef ActorOf(Props props, string name);

    ActorRef? Child(string name);

    /// <summary>Stops an actor (this actor or one of its children) after the message being handled.</summary>
    void Stop(ActorRef actor);

    /// <summary>Asks for a <see cref="Terminated"/> message when <paramref name="actor"/> stops (at once if it already has).</summary>
    void Watch(ActorRef actor);

    void Unwatch(ActorRef actor);
}
