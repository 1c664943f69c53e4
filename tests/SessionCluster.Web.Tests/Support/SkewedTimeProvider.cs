using SessionCluster.TestKit;

namespace SessionCluster.Web.Tests.Support;

/// <summary>
/// A clock whose time can jump ahead without firing any timer: the moment after time has passed but before a
/// timer's message has been handled. Timers are kept, unfired, by the underlying <see cref="ManualTimeProvider"/>.
/// </summary>
public sealed class SkewedTimeProvider(ManualTimeProvider timers) : TimeProvider
{
    private long _skewTicks;

    /// <summary>How far this clock's time is ahead of the underlying manual clock's time.</summary>
    public TimeSpan Skew
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _skewTicks));
        set => Interlocked.Exchange(ref _skewTicks, value.Ticks);
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => timers.GetUtcNow() + Skew;

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        timers.CreateTimer(callback, state, dueTime, period);
}
