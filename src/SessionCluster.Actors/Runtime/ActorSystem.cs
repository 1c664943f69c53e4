using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SessionCluster.Actors.Runtime;

/// <summary>A process's actor runtime: the guardian of its top-level actors, its clock, dispatcher and dead letters.</summary>
public sealed class ActorSystem : IAsyncDisposable
{
    private readonly LocalActorRef _guardian;
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _deadLetters;
    private long _mailboxOverflows;
    private long _overflowsUnreported;
    private long _lastOverflowReport = long.MinValue;

    /// <param name="name">Shown in logs.</param>
    /// <param name="timeProvider">The clock for timers and Ask timeouts; tests pass a manual one.</param>
    /// <param name="loggerFactory">Where runtime events are logged.</param>
    /// <param name="dispatcher">Runs mailboxes; the thread pool by default.</param>
    public ActorSystem(string name, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null, IMessageDispatcher? dispatcher = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        TimeProvider = timeProvider ?? TimeProvider.System;
        Logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("SessionCluster.Actors.Runtime");
        Dispatcher = dispatcher ?? ThreadPoolDispatcher.Instance;
        DeadLetters = new DeadLetterActorRef(this);
        _guardian = new LocalActorRef(this, null, "user", Props.Create(static () => new GuardianActor()));
    }

    public string Name { get; }

    public TimeProvider TimeProvider { get; }

    public ActorRef DeadLetters { get; }

    /// <summary>How many messages reached no actor since start.</summary>
    public long DeadLetterCount => Interlocked.Read(ref _deadLetters);

    /// <summary>How many messages bounded mailboxes refused since start (see <see cref="MailboxBound"/>).</summary>
    public long MailboxOverflowCount => Interlocked.Read(ref _mailboxOverflows);

    /// <summary>Completes when the guardian and every actor under it have stopped.</summary>
    public Task WhenTerminated => _terminated.Task;

    internal ILogger Logger { get; }

    internal IMessageDispatcher Dispatcher { get; }

    /// <summary>Creates a top-level actor under <c>/user</c>.</summary>
    public ActorRef ActorOf(Props props, string name) => _guardian.ActorOf(props, name);

    /// <summary>Stops an actor after the message it is handling.</summary>
    public void Stop(ActorRef actor) => ((IActorContext)_guardian).Stop(actor);

    /// <summary>Stops every actor, children before parents, and waits for it.</summary>
    public async Task TerminateAsync(CancellationToken cancellationToken = default)
    {
        _guardian.SendSystem(SystemMessage.Stop.Instance);
        await _terminated.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await TerminateAsync().ConfigureAwait(false);

    internal void PublishDeadLetter(object message, ActorRef? sender, ActorRef recipient)
    {
        Interlocked.Increment(ref _deadLetters);
        RuntimeLog.DeadLetter(Logger, message.GetType().Name, recipient.Path);
    }

    /// <summary>Counts a refused message and logs a warning at most once a second (a flood must not flood the log too),
    /// naming the last actor that refused and how many were refused since the previous warning.</summary>
    internal void MailboxOverflowed(ActorRef recipient, int capacity, object message)
    {
        Interlocked.Increment(ref _mailboxOverflows);
        Interlocked.Increment(ref _overflowsUnreported);
        Diagnostics.SessionClusterMetrics.MailboxOverflows.Add(1);
        var now = TimeProvider.GetTimestamp();
        var last = Interlocked.Read(ref _lastOverflowReport);
        if (last != long.MinValue && TimeProvider.GetElapsedTime(last, now) < TimeSpan.FromSeconds(1))
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _lastOverflowReport, now, last) == last)
        {
            RuntimeLog.MailboxOverflow(Logger, recipient.Path, capacity, message.GetType().Name, Interlocked.Exchange(ref _overflowsUnreported, 0));
        }
    }

    internal void GuardianTerminated() => _terminated.TrySetResult();

    /// <summary>The parent of top-level actors; supervises them with the default strategy.</summary>
    private sealed class GuardianActor : Actor
    {
        protected internal override void Receive(object message) => Unhandled(message);
    }
}
