namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>A session a spec created, with its cookie and the increments of its counter that the cluster acknowledged.</summary>
/// <remarks>Safe for concurrent use: several load loops may pick the same session at once.</remarks>
internal sealed class TrackedSession(string id, string cookie)
{
    private readonly HashSet<long> _values = [];
    private long _acknowledged;

    private long _uncertain;

    /// <summary>The 32 hex digits of the id.</summary>
    public string Id { get; } = id;

    /// <summary>The cookie's value as the node set it: <c>id.route</c>.</summary>
    public string Cookie { get; } = cookie;

    /// <summary>Increments answered 200 with a value: exactly what the counter must hold once no request is in flight.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>Increments answered 503 "may have applied" (their home died with them): each may or may not count.</summary>
    public long Uncertain => Interlocked.Read(ref _uncertain);

    /// <summary>Records an increment whose outcome the cluster could not tell.</summary>
    public void MarkUncertain() => Interlocked.Increment(ref _uncertain);

    /// <summary>
    /// Records an acknowledged increment that answered <paramref name="value"/>. False when an earlier increment
    /// answered the same value: each increment of a single-writer counter yields a new one, so a repeat means an
    /// update was lost or applied to a stale copy.
    /// </summary>
    public bool Acknowledge(long value)
    {
        Interlocked.Increment(ref _acknowledged);
        lock (_values)
        {
            return _values.Add(value);
        }
    }
}
