namespace SessionCluster.TestKit;

/// <summary>Waits for a condition with a deadline instead of sleeping a fixed time; fails with a message naming what was awaited.</summary>
public static class Eventually
{
    /// <summary>Generous by default: a busy 2-core CI machine can stall a thread-pool turn for a second.</summary>
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(10);

    public static Task True(Func<bool> condition, string what, TimeSpan? deadline = null) =>
        True(() => Task.FromResult(condition()), what, deadline);

    public static async Task True(Func<Task<bool>> condition, string what, TimeSpan? deadline = null)
    {
        var limit = deadline ?? DefaultDeadline;
        var started = TimeProvider.System.GetTimestamp();
        while (!await condition().ConfigureAwait(false))
        {
            if (TimeProvider.System.GetElapsedTime(started) > limit)
            {
                throw new TimeoutException($"Waited {limit.TotalSeconds:0.#} s for: {what}.");
            }

            await Task.Delay(5).ConfigureAwait(false);
        }
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value that satisfies <paramref name="accept"/>; returns that value.</summary>
    public static async Task<T> Value<T>(Func<Task<T>> probe, Func<T, bool> accept, string what, TimeSpan? deadline = null)
    {
        var limit = deadline ?? DefaultDeadline;
        var started = TimeProvider.System.GetTimestamp();
        T last;
        while (!accept(last = await probe().ConfigureAwait(false)))
        {
            if (TimeProvider.System.GetElapsedTime(started) > limit)
            {
                throw new TimeoutException($"Waited {limit.TotalSeconds:0.#} s for: {what}; last value: {last}.");
            }

            await Task.Delay(5).ConfigureAwait(false);
        }

        return last;
    }
}
