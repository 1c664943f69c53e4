namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>A session a spec created, with its cookie, the increments of its counter and the attribute writes that the cluster acknowledged.</summary>
/// <remarks>Safe for concurrent use: several load loops may pick the same session at once.</remarks>
internal sealed class TrackedSession(string id, string cookie)
{
    private readonly HashSet<long> _values = [];
    private readonly Dictionary<string, AttributeLedger> _written = new(StringComparer.Ordinal);
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

    /// <summary>
    /// Records a write of <paramref name="value"/> to attribute <paramref name="name"/>. Writes to one name must come
    /// from one writer, one at a time, so that the last acknowledged one is what the attribute must hold; one not
    /// acknowledged (failed: it may or may not have been applied) is remembered as a value the attribute may hold too.
    /// </summary>
    public void RecordWrite(string name, long value, bool acknowledged)
    {
        lock (_written)
        {
            var ledger = _written.GetValueOrDefault(name) ?? new AttributeLedger(null, []);
            _written[name] = acknowledged ? ledger with { LastAcknowledged = value } : ledger with { Unacknowledged = [.. ledger.Unacknowledged, value] };
        }
    }

    /// <summary>Every attribute written so far, with its last acknowledged value and the values of its failed writes.</summary>
    public IReadOnlyDictionary<string, AttributeLedger> Written
    {
        get
        {
            lock (_written)
            {
                return new Dictionary<string, AttributeLedger>(_written, StringComparer.Ordinal);
            }
        }
    }
}

/// <summary>The writes of one attribute of a tracked session: the last acknowledged value, and those of failed writes.</summary>
/// <param name="LastAcknowledged">The value of the last write answered 200, or null when none was.</param>
/// <param name="Unacknowledged">Values of writes that failed: each may or may not have been applied.</param>
internal sealed record AttributeLedger(long? LastAcknowledged, IReadOnlyList<long> Unacknowledged)
{
    /// <summary>Whether the attribute may hold <paramref name="value"/> (null: absent) once no write is in flight.</summary>
    public bool Allows(long? value) => value == LastAcknowledged || (value is { } written && Unacknowledged.Contains(written));
}
