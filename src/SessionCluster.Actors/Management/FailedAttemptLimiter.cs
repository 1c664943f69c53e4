namespace SessionCluster.Actors.Management;

/// <summary>Counts failed token attempts per client over a sliding minute, so that a client guessing tokens is told to
/// wait (429) once it has used up its attempts.</summary>
/// <remarks>Memory is bounded: at most <see cref="MaxClients"/> clients are tracked; when that many are, expired entries
/// go first, then the client whose last failure is oldest. Thread-safe.</remarks>
public sealed class FailedAttemptLimiter
{
    /// <summary>Most clients tracked at once.</summary>
    public const int MaxClients = 10_000;

    /// <summary>The window failures are counted over.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);
    private readonly int _limit;
    private readonly TimeProvider _time;

    /// <param name="limit">Failures allowed per client within <see cref="Window"/>.</param>
    /// <param name="time">The clock.</param>
    public FailedAttemptLimiter(int limit, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentNullException.ThrowIfNull(time);
        _limit = limit;
        _time = time;
    }

    /// <summary>How long <paramref name="client"/> must wait before its next attempt counts, or null if it may try now.</summary>
    public TimeSpan? RetryAfter(string client)
    {
        var now = _time.GetUtcNow();
        lock (_failures)
        {
            if (!_failures.TryGetValue(client, out var failures))
            {
                return null;
            }

            Expire(failures, now);
            if (failures.Count < _limit)
            {
                return null;
            }

            // Allowed again once enough of the failures have aged out of the window to leave one attempt.
            return failures.ElementAt(failures.Count - _limit) + Window - now;
        }
    }

    /// <summary>Records a failed attempt by <paramref name="client"/>; returns its failures within the window.</summary>
    public int RecordFailure(string client)
    {
        var now = _time.GetUtcNow();
        lock (_failures)
        {
            if (!_failures.TryGetValue(client, out var failures))
            {
                if (_failures.Count >= MaxClients)
                {
                    MakeRoom(now);
                }

                failures = new Queue<DateTimeOffset>();
                _failures[client] = failures;
            }

            Expire(failures, now);
            failures.Enqueue(now);
            // Beyond the limit the oldest no longer matter: RetryAfter only looks at the last `limit` failures.
            while (failures.Count > _limit)
            {
                failures.Dequeue();
            }

            return failures.Count;
        }
    }

    private static void Expire(Queue<DateTimeOffset> failures, DateTimeOffset now)
    {
        while (failures.Count > 0 && now - failures.Peek() >= Window)
        {
            failures.Dequeue();
        }
    }

    private void MakeRoom(DateTimeOffset now)
    {
        foreach (var (client, failures) in _failures.ToList())
        {
            Expire(failures, now);
            if (failures.Count == 0)
            {
                _failures.Remove(client);
            }
        }

        if (_failures.Count >= MaxClients)
        {
            var stalest = _failures.MinBy(entry => entry.Value.Last()).Key;
            _failures.Remove(stalest);
        }
    }
}
