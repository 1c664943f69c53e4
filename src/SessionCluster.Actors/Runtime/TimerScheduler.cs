namespace SessionCluster.Actors.Runtime;

/// <summary>The keyed timers of one actor, driven by the system's <see cref="TimeProvider"/>.</summary>
/// <remarks>
/// Only the owning actor's turn touches the table. A timer callback just enqueues a <see cref="TimerFired"/>
/// stamped with a generation; the owner accepts it only if that generation is still current, so a timer
/// cancelled or replaced after it fired but before its message was handled never delivers.
/// </remarks>
internal sealed class TimerScheduler(LocalActorRef owner, TimeProvider time) : ITimerScheduler
{
    private readonly Dictionary<object, Entry> _timers = [];
    private long _nextGeneration;

    public void StartSingleTimer(object key, object message, TimeSpan delay) => Start(key, message, delay, periodic: false);

    public void StartPeriodicTimer(object key, object message, TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        Start(key, message, interval, periodic: true);
    }

    public bool IsTimerActive(object key) => _timers.ContainsKey(key);

    public void Cancel(object key)
    {
        if (_timers.Remove(key, out var entry))
        {
            entry.Timer.Dispose();
        }
    }

    public void CancelAll()
    {
        foreach (var entry in _timers.Values)
        {
            entry.Timer.Dispose();
        }

        _timers.Clear();
    }

    /// <summary>True if <paramref name="fired"/> belongs to a live timer; a single timer is then done.</summary>
    internal bool Accept(TimerFired fired)
    {
        if (!_timers.TryGetValue(fired.Key, out var entry) || entry.Generation != fired.Generation)
        {
            return false;
        }

        if (!entry.Periodic)
        {
            _timers.Remove(fired.Key);
            entry.Timer.Dispose();
        }

        return true;
    }

    private void Start(object key, object message, TimeSpan delay, bool periodic)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        Cancel(key);
        var fired = new TimerFired(key, ++_nextGeneration, message);
        var timer = time.CreateTimer(
            static state =>
            {
                var (target, payload) = ((LocalActorRef, TimerFired))state!;
                target.Tell(payload, target);
            },
            (owner, fired),
            delay,
            periodic ? delay : Timeout.InfiniteTimeSpan);
        _timers[key] = new Entry(timer, fired.Generation, periodic);
    }

    private readonly record struct Entry(ITimer Timer, long Generation, bool Periodic);
}
