namespace SessionCluster.Actors.Runtime;

/// <summary>The keyed timers of one actor, driven by the system's <see cref="TimeProvider"/>.</summary>
/// <remarks>
/// Only the owning actor's turn touches the table. A timer callback just enqueues a <see cref="TimerFired"/>
/// stamped with a generation; the owner accepts it only if that generation is still current, so a timer
/// cancelled or replaced after it fired but before its message was handled never delivers.
/// Actors hold few timers (a session holds one), so they sit in a small array searched linearly: a dictionary
/// would cost more memory per actor than the timer itself.
/// </remarks>
internal sealed class TimerScheduler(LocalActorRef owner, TimeProvider time) : ITimerScheduler
{
    private Entry[] _timers = [];
    private int _count;
    private long _nextGeneration;

    public void StartSingleTimer(object key, object message, TimeSpan delay) => Start(key, message, delay, periodic: false);

    public void StartPeriodicTimer(object key, object message, TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        Start(key, message, interval, periodic: true);
    }

    public bool IsTimerActive(object key) => IndexOf(key) >= 0;

    public void Cancel(object key)
    {
        var index = IndexOf(key);
        if (index >= 0)
        {
            _timers[index].Timer.Dispose();
            RemoveAt(index);
        }
    }

    public void CancelAll()
    {
        for (var i = 0; i < _count; i++)
        {
            _timers[i].Timer.Dispose();
            _timers[i] = default;
        }

        _count = 0;
    }

    /// <summary>True if <paramref name="fired"/> belongs to a live timer; a single timer is then done.</summary>
    internal bool Accept(TimerFired fired)
    {
        var index = IndexOf(fired.Key);
        if (index < 0 || _timers[index].Generation != fired.Generation)
        {
            return false;
        }

        if (!_timers[index].Periodic)
        {
            _timers[index].Timer.Dispose();
            RemoveAt(index);
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
        if (_count == _timers.Length)
        {
            Array.Resize(ref _timers, Math.Max(1, _count * 2));
        }

        _timers[_count++] = new Entry(key, timer, fired.Generation, periodic);
    }

    private int IndexOf(object key)
    {
        for (var i = 0; i < _count; i++)
        {
            if (_timers[i].Key.Equals(key))
            {
                return i;
            }
        }

        return -1;
    }

    private void RemoveAt(int index)
    {
        _count--;
        Array.Copy(_timers, index + 1, _timers, index, _count - index);
        _timers[_count] = default;
    }

    private readonly record struct Entry(object Key, ITimer Timer, long Generation, bool Periodic);
}
