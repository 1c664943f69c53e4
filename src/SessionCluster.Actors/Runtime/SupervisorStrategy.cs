namespace SessionCluster.Actors.Runtime;

/// <summary>What a parent does with a child whose message handling threw.</summary>
public enum SupervisorDirective
{
    /// <summary>Keep the actor and its state; drop the failing message.</summary>
    Resume,

    /// <summary>Replace the actor with a fresh instance from its <see cref="Props"/>; the mailbox is kept.</summary>
    Restart,

    /// <summary>Stop the actor; watchers get <see cref="Terminated"/>.</summary>
    Stop,

    /// <summary>Stop the child and fail the parent with the same exception, for the grandparent to decide.</summary>
    Escalate,
}

/// <summary>A parent's policy for failing children: a decider per exception and a restart budget.</summary>
/// <remarks>
/// A child that needs more than <see cref="MaxRestarts"/> restarts within <see cref="Window"/> is stopped instead,
/// so a child that fails on every message cannot spin forever.
/// </remarks>
public sealed class SupervisorStrategy
{
    /// <summary>Restarts on any exception (stops on a failed start), at most 10 times a minute.</summary>
    public static readonly SupervisorStrategy Default = new(DefaultDecider, 10, TimeSpan.FromMinutes(1));

    /// <summary>Stops a child on any failure.</summary>
    public static readonly SupervisorStrategy StoppingStrategy = new(static _ => SupervisorDirective.Stop, 0, TimeSpan.Zero);

    public SupervisorStrategy(Func<Exception, SupervisorDirective> decider, int maxRestarts, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(decider);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRestarts);
        Decider = decider;
        MaxRestarts = maxRestarts;
        Window = window;
    }

    public Func<Exception, SupervisorDirective> Decider { get; }

    public int MaxRestarts { get; }

    public TimeSpan Window { get; }

    public static SupervisorDirective DefaultDecider(Exception exception) => exception switch
    {
        ActorInitializationException => SupervisorDirective.Stop,
        _ => SupervisorDirective.Restart,
    };
}

/// <summary>Thrown (to the supervisor) when an actor's constructor or PreStart failed.</summary>
public sealed class ActorInitializationException(string path, Exception inner)
    : Exception($"Actor {path} failed to start: {inner.Message}", inner);
