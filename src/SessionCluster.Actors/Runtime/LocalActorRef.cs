namespace SessionCluster.Actors.Runtime;

/// <summary>A live actor in this process: its reference, mailbox and lifecycle in one object.</summary>
/// <remarks>
/// Design: the mailbox is two queues (system messages first, then user messages) guarded by a short lock that
/// never spans I/O or user code. A mailbox with work is handed to the dispatcher once (the <c>_scheduled</c> flag), or,
/// when a caller outside any actor finds it idle (<see cref="TellAndRunHereIfIdle"/>), run on that caller's thread;
/// a turn handles up to <see cref="Throughput"/> messages, then yields the thread. An idle actor therefore holds no
/// thread, no task and no timer — only this object, its actor instance and an empty queue, which is what lets a
/// node keep a million idle sessions. A <see cref="MailboxBound"/> in the props caps the user queue for the messages
/// it may shed; the check is one comparison under the same lock.
///
/// Lifecycle: Created → Running → Stopping (waiting for children) → Terminated. Only the actor's own turn changes
/// the state, except the final switch to Terminated, which is made under the mailbox lock so that a message that
/// arrives later is routed to dead letters instead of being lost in a queue no one reads.
/// </remarks>
internal sealed class LocalActorRef : ActorRef, IActorContext, IThreadPoolWorkItem
{
    private const int Throughput = 64;

    // The actor whose turn this thread is running, if any: a thread inside a turn never runs another actor's turn inline.
    [ThreadStatic]
    private static LocalActorRef? t_inTurn;

    private const int Running = 0;
    private const int Stopping = 1;
    private const int Terminated = 2;

    private readonly ActorSystem _system;
    private readonly LocalActorRef? _parent;
    private readonly string _name;
    private readonly Props _props;
    private readonly Queue<Envelope> _mail = new();
    private Queue<SystemMessage>? _systemMail;
    private Actor? _actor;
    private Dictionary<string, LocalActorRef>? _children;
    private HashSet<LocalActorRef>? _watchers;
    private HashSet<ActorRef>? _watching;
    private TimerScheduler? _timers;
    private ActorRef? _currentSender;
    private int _scheduled;
    private volatile bool _pendingCreate;
    private volatile int _state;
    private int _restartsInWindow;
    private long _restartWindowStart;

    internal LocalActorRef(ActorSystem system, LocalActorRef? parent, string name, Props props)
    {
        _system = system;
        _parent = parent;
        _name = name;
        _props = props;
        // Creation is a flag, not a queued system message: most actors never get another system message,
        // and the system queue is then never allocated.
        _pendingCreate = true;
        TrySchedule();
    }

    public override string Path => _parent is null ? "/" + _name : _parent.Path + "/" + _name;

    public string Name => _name;

    internal bool IsTerminated => _state == Terminated;

    internal override ActorSystem System => _system;

    ActorRef IActorContext.Self => this;

    ActorRef IActorContext.Sender => _currentSender ?? _system.DeadLetters;

    ActorRef IActorContext.Parent => (ActorRef?)_parent ?? _system.DeadLetters;

    ActorSystem IActorContext.System => _system;

    IReadOnlyCollection<ActorRef> IActorContext.Children
    {
        get
        {
            lock (this)
            {
                return _children is null ? [] : [.. _children.Values];
            }
        }
    }

    ITimerScheduler IActorContext.Timers => _timers ??= new TimerScheduler(this, _system.TimeProvider);

    public override void Tell(object message, ActorRef? sender = null)
    {
        if (Enqueue(message, sender))
        {
            TrySchedule();
        }
    }

    /// <summary>Tells, and when the caller is no actor's turn and this actor is idle, runs the turn on the calling
    /// thread (an Ask then often has its reply before it returns); otherwise schedules as <see cref="Tell"/> does.</summary>
    /// <remarks>The turn runs in an empty execution context, as a dispatched turn does: it sees none of the caller's
    /// async-locals (an HTTP request's logging scope would otherwise tag the log lines of every message the turn
    /// handles), and the timers and tasks it starts capture none (which would keep the request's context alive).</remarks>
    internal override void TellAndRunHereIfIdle(object message, ActorRef? sender)
    {
        if (!Enqueue(message, sender))
        {
            return;
        }

        if (t_inTurn is not null || !_system.Dispatcher.RunsTurnsOnCallers || Interlocked.CompareExchange(ref _scheduled, 1, 0) != 0)
        {
            TrySchedule();
            return;
        }

        ExecutionContext.Run(EmptyExecutionContext.Instance, static self => ((IThreadPoolWorkItem)self!).Execute(), this);
    }

    /// <summary>Queues the message; false if it went to dead letters or was shed instead (and its sender told).</summary>
    private bool Enqueue(object message, ActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        var bound = _props.Mailbox;
        lock (_mail)
        {
            if (_state != Terminated)
            {
                if (bound is not null && _mail.Count >= bound.Capacity && bound.MayShed(message))
                {
                    goto Shed;
                }

                _mail.Enqueue(new Envelope(message, sender));
                return true;
            }
        }

        _system.PublishDeadLetter(message, sender, this);
        if (sender is PromiseActorRef promise)
        {
            // An Ask to a stopped actor fails now rather than at its timeout.
            promise.Tell(new StatusFailure(new ActorTerminatedException(Path)));
        }
        else if (sender is IUndeliveredHandler handler)
        {
            handler.OnUndelivered(message);
        }

        return false;

    Shed:
        Shed(bound, message, sender);
        return false;
    }

    public ActorRef ActorOf(Props props, string name)
    {
        ArgumentNullException.ThrowIfNull(props);
        ValidateName(name);
        lock (this)
        {
            if (_state != Running)
            {
                throw new InvalidOperationException($"Cannot create child '{name}': actor {Path} is stopping.");
            }

            _children ??= new Dictionary<string, LocalActorRef>(StringComparer.Ordinal);
            if (_children.ContainsKey(name))
            {
                throw new InvalidActorNameException($"Actor name '{name}' is already taken under {Path}.");
            }

            var child = new LocalActorRef(_system, this, name, props);
            _children.Add(name, child);
            return child;
        }
    }

    public ActorRef? Child(string name)
    {
        lock (this)
        {
            return _children is not null && _children.TryGetValue(name, out var child) ? child : null;
        }
    }

    public void Stop(ActorRef actor)
    {
        if (actor is LocalActorRef local)
        {
            local.SendSystem(SystemMessage.Stop.Instance);
        }
    }

    public void Watch(ActorRef actor)
    {
        if (ReferenceEquals(actor, this))
        {
            return;
        }

        (_watching ??= []).Add(actor);
        if (actor is LocalActorRef local)
        {
            local.SendSystem(new SystemMessage.Watch(this));
        }
        else
        {
            // Only local actors can die observably; anything else is treated as already gone.
            SendSystem(new SystemMessage.DeathWatchNotification(actor));
        }
    }

    public void Unwatch(ActorRef actor)
    {
        if (_watching?.Remove(actor) == true && actor is LocalActorRef local)
        {
            local.SendSystem(new SystemMessage.Unwatch(this));
        }
    }

    internal void SendSystem(SystemMessage message)
    {
        lock (_mail)
        {
            if (_state != Terminated)
            {
                (_systemMail ??= new Queue<SystemMessage>()).Enqueue(message);
                goto Schedule;
            }
        }

        if (message is SystemMessage.Watch watch)
        {
            watch.Watcher.SendSystem(new SystemMessage.DeathWatchNotification(this));
        }

        return;

    Schedule:
        TrySchedule();
    }

    void IThreadPoolWorkItem.Execute()
    {
        var outer = t_inTurn;
        t_inTurn = this;
        try
        {
            if (_pendingCreate)
            {
                _pendingCreate = false;
                Start();
            }

            ProcessSystemMessages();
            for (var i = 0; i < Throughput && _state == Running; i++)
            {
                if (!TryDequeue(out var envelope))
                {
                    break;
                }

                Invoke(envelope);
                ProcessSystemMessages();
            }
        }
        finally
        {
            t_inTurn = outer;
            Interlocked.Exchange(ref _scheduled, 0);
            if (HasWork())
            {
                TrySchedule();
            }
        }
    }

    private void TrySchedule()
    {
        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            _system.Dispatcher.Dispatch(this);
        }
    }

    private bool HasWork()
    {
        lock (_mail)
        {
            return _pendingCreate || _systemMail is { Count: > 0 } || (_state == Running && _mail.Count > 0);
        }
    }

    private bool TryDequeue(out Envelope envelope)
    {
        lock (_mail)
        {
            return _mail.TryDequeue(out envelope);
        }
    }

    private void ProcessSystemMessages()
    {
        while (true)
        {
            SystemMessage? message;
            lock (_mail)
            {
                if (_systemMail is null || !_systemMail.TryDequeue(out message))
                {
                    return;
                }
            }

            if (_state == Terminated)
            {
                return;
            }

            HandleSystem(message);
        }
    }

    private void HandleSystem(SystemMessage message)
    {
        switch (message)
        {
            case SystemMessage.Stop:
                BeginStop();
                break;
            case SystemMessage.Watch watch:
                (_watchers ??= []).Add(watch.Watcher);
                break;
            case SystemMessage.Unwatch unwatch:
                _watchers?.Remove(unwatch.Watcher);
                break;
            case SystemMessage.DeathWatchNotification notice:
                // Delivered in order with user messages; Invoke drops it if the actor unwatched meanwhile.
                Tell(new Terminated(notice.Actor), notice.Actor);
                break;
            case SystemMessage.ChildTerminated childTerminated:
                RemoveChild(childTerminated.Child);
                break;
            case SystemMessage.Failed failed:
                HandleFailure(failed.Cause, null);
                break;
        }
    }

    private void Start()
    {
        try
        {
            _actor = _props.NewActor();
            _actor.Bind(this);
            _actor.PreStart();
        }
        catch (Exception exception)
        {
            HandleFailure(new ActorInitializationException(Path, exception), null);
        }
    }

    private void Invoke(Envelope envelope)
    {
        _currentSender = envelope.Sender;
        var message = envelope.Message;
        try
        {
            switch (message)
            {
                case PoisonPill:
                    BeginStop();
                    break;
                case TimerFired fired:
                    if (_timers?.Accept(fired) == true)
                    {
                        _actor!.Receive(fired.Message);
                    }

                    break;
                case Terminated terminated:
                    if (_watching?.Remove(terminated.Actor) == true)
                    {
                        _actor!.Receive(terminated);
                    }

                    break;
                default:
                    _actor!.Receive(message);
                    break;
            }
        }
        catch (Exception exception)
        {
            HandleFailure(exception, message);
        }
        finally
        {
            _currentSender = null;
        }
    }

    private void HandleFailure(Exception exception, object? message)
    {
        var strategy = _parent?._actor?.SupervisorStrategy ?? SupervisorStrategy.Default;
        var directive = strategy.Decider(exception);
        if (directive == SupervisorDirective.Restart && !TakeRestartFromBudget(strategy))
        {
            RuntimeLog.RestartBudgetExceeded(_system.Logger, Path, strategy.MaxRestarts, strategy.Window);
            directive = SupervisorDirective.Stop;
        }

        if (_actor is null && directive == SupervisorDirective.Resume)
        {
            directive = SupervisorDirective.Stop; // nothing to resume: the instance was never built
        }

        RuntimeLog.ActorFailed(_system.Logger, exception, Path, message?.GetType().Name ?? "lifecycle", directive);
        switch (directive)
        {
            case SupervisorDirective.Resume:
                break;
            case SupervisorDirective.Restart:
                Restart(exception, message);
                break;
            case SupervisorDirective.Stop:
                BeginStop();
                break;
            case SupervisorDirective.Escalate:
                BeginStop();
                _parent?.SendSystem(new SystemMessage.Failed(this, exception));
                break;
        }
    }

    private bool TakeRestartFromBudget(SupervisorStrategy strategy)
    {
        var now = _system.TimeProvider.GetTimestamp();
        if (_restartsInWindow == 0 || _system.TimeProvider.GetElapsedTime(_restartWindowStart, now) > strategy.Window)
        {
            _restartWindowStart = now;
            _restartsInWindow = 0;
        }

        _restartsInWindow++;
        return _restartsInWindow <= strategy.MaxRestarts;
    }

    private void Restart(Exception reason, object? message)
    {
        _timers?.CancelAll();
        if (_actor is not null)
        {
            try
            {
                _actor.PreRestart(reason, message);
            }
            catch (Exception hookFailure)
            {
                RuntimeLog.HookFailed(_system.Logger, hookFailure, Path, nameof(Actor.PreRestart));
            }
        }

        try
        {
            _actor = _props.NewActor();
            _actor.Bind(this);
            _actor.PostRestart(reason);
        }
        catch (Exception exception)
        {
            RuntimeLog.HookFailed(_system.Logger, exception, Path, nameof(Actor.PostRestart));
            BeginStop();
        }
    }

    private void BeginStop()
    {
        if (_state != Running)
        {
            return;
        }

        _state = Stopping;
        _timers?.CancelAll();
        LocalActorRef[] children;
        lock (this)
        {
            children = _children is null ? [] : [.. _children.Values];
        }

        foreach (var child in children)
        {
            child.SendSystem(SystemMessage.Stop.Instance);
        }

        if (children.Length == 0)
        {
            FinishStop();
        }
    }

    private void RemoveChild(LocalActorRef child)
    {
        bool lastChildGone;
        lock (this)
        {
            _children?.Remove(child._name);
            lastChildGone = _children is null || _children.Count == 0;
        }

        if (_state == Stopping && lastChildGone)
        {
            FinishStop();
        }
    }

    private void FinishStop()
    {
        if (_actor is not null)
        {
            try
            {
                _actor.PostStop();
            }
            catch (Exception exception)
            {
                RuntimeLog.HookFailed(_system.Logger, exception, Path, nameof(Actor.PostStop));
            }
        }

        Envelope[] undelivered;
        SystemMessage[] pendingSystem;
        lock (_mail)
        {
            _state = Terminated;
            undelivered = [.. _mail];
            _mail.Clear();
            pendingSystem = _systemMail is null ? [] : [.. _systemMail];
            _systemMail = null;
        }

        foreach (var envelope in undelivered)
        {
            if (envelope.Message is not PoisonPill)
            {
                _system.PublishDeadLetter(envelope.Message, envelope.Sender, this);
                (envelope.Sender as PromiseActorRef)?.Tell(new StatusFailure(new ActorTerminatedException(Path)));
                (envelope.Sender as IUndeliveredHandler)?.OnUndelivered(envelope.Message);
            }
        }

        foreach (var pending in pendingSystem)
        {
            if (pending is SystemMessage.Watch watch)
            {
                watch.Watcher.SendSystem(new SystemMessage.DeathWatchNotification(this));
            }
        }

        if (_watchers is not null)
        {
            foreach (var watcher in _watchers)
            {
                watcher.SendSystem(new SystemMessage.DeathWatchNotification(this));
            }
        }

        if (_watching is not null)
        {
            foreach (var watched in _watching)
            {
                (watched as LocalActorRef)?.SendSystem(new SystemMessage.Unwatch(this));
            }
        }

        _actor = null;
        _watchers = null;
        _watching = null;
        if (_parent is null)
        {
            _system.GuardianTerminated();
        }
        else
        {
            _parent.SendSystem(new SystemMessage.ChildTerminated(this));
        }
    }

    /// <summary>A message refused by a full bounded mailbox: counted, logged (rate-limited), and its sender told.</summary>
    private void Shed(MailboxBound bound, object message, ActorRef? sender)
    {
        _system.MailboxOverflowed(this, bound.Capacity, message);
        if (bound.OnShed is { } onShed)
        {
            onShed(message, sender);
        }
        else if (sender is PromiseActorRef promise)
        {
            promise.Tell(new StatusFailure(new MailboxFullException(Path, bound.Capacity)));
        }
    }

    private static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('/') || name.StartsWith('$'))
        {
            throw new InvalidActorNameException($"'{name}' is not a valid actor name: it must be non-empty, without '/', not starting with '$'.");
        }
    }
}
