using System.Collections.Concurrent;
using System.Diagnostics;

namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>
/// Load on a fleet of sessions while the cluster changes: concurrent loops, each picking random sessions and either
/// incrementing their counter or reading it back (or, with attribute writes, writing its own attribute), recording
/// every acknowledged increment and write and every failure.
/// </summary>
/// <remarks>
/// <para>A failure is any non-2xx answer or transport error, and any 2xx answer that breaks what the session must
/// guarantee: a <c>Set-Cookie</c> with another id (the node no longer knew the session and made a new one), an
/// increment answering a value an earlier one already answered, a read returning less than the increments
/// acknowledged before it was sent.</para>
/// <para>A session never incremented is read with <c>GET /session</c> (its counter would answer 404), one incremented
/// with <c>GET /session/attributes/n</c>. A loop never cancels a request it has sent: stopping waits for each loop's
/// request in flight, so that afterwards every increment is either acknowledged or counted as failed.</para>
/// <para>With attribute writes, loop i also writes <c>PUT /session/attributes/a{i}</c> (<see cref="WrittenAttribute"/>)
/// with the loop's own increasing integers (1, 2, 3... across all sessions), one write in flight, so that each
/// (session, attribute) has one writer and its last acknowledged value is what it must hold at the end.</para>
/// <para>Randomness comes from <see cref="Seed"/>; loop i uses <c>Seed + i</c>.</para>
/// </remarks>
internal sealed class SessionTraffic : IAsyncDisposable
{
    /// <summary>The attribute the loops increment.</summary>
    public const string Counter = "n";

    private const int MaxFailuresKept = 1000;

    private readonly SessionContractClient _client;
    private readonly IReadOnlyList<TrackedSession> _sessions;
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly long _started = Stopwatch.GetTimestamp();
    private Task[] _loops = [];
    private long _increments;
    private long _reads;
    private long _failed;
    private long _writes;
    private long _slowestTicks;
    private TimeSpan? _elapsed;

    private long _uncertain;

    private SessionTraffic(SessionContractClient client, SessionFleet fleet, int seed, bool tolerateUncertain, bool writeAttributes)
    {
        _writeAttributes = writeAttributes;
        _client = client;
        _sessions = fleet.Sessions;
        Seed = seed;
        _tolerateUncertain = tolerateUncertain;
    }

    private readonly bool _tolerateUncertain;
    private readonly bool _writeAttributes;

    /// <summary>The attribute that loop <paramref name="loop"/> writes when attribute writes are on.</summary>
    public static string WrittenAttribute(int loop) => "a" + loop.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Acknowledged attribute writes so far.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Increments answered 503 "may have applied" while uncertain outcomes were tolerated (a home was killed).</summary>
    public long Uncertain => Interlocked.Read(ref _uncertain);

    public int Seed { get; }

    /// <summary>Acknowledged increments so far.</summary>
    public long Increments => Interlocked.Read(ref _increments);

    /// <summary>Successful reads so far.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>Failed requests so far (an increment acknowledged with a repeated value counts here only).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>The first failures (up to 1000), each with its request, answer and time.</summary>
    public IReadOnlyList<string> Failures => [.. _failures];

    /// <summary>Starts <paramref name="loops"/> loops, each with one request in flight at a time.</summary>
    /// <param name="client">Where the requests go.</param>
    /// <param name="fleet">The sessions to load.</param>
    /// <param name="loops">Loops, each with one request in flight.</param>
    /// <param name="seed">Loop i draws from <c>seed + i</c>.</param>
    /// <param name="tolerateUncertain">Count an increment answered 503 "may have applied" as uncertain (its session's
    /// counter may or may not include it) instead of as a failure: what a kill -9 of the home can cause.</param>
    /// <param name="writeAttributes">Each loop also writes its own attribute (<see cref="WrittenAttribute"/>): a third of
    /// its requests increment, a third read, a third write.</param>
    public static SessionTraffic Start(SessionContractClient client, SessionFleet fleet, int loops, int seed, bool tolerateUncertain = false, bool writeAttributes = false)
    {
        var traffic = new SessionTraffic(client, fleet, seed, tolerateUncertain, writeAttributes);
        traffic._loops = [.. Enumerable.Range(0, loops).Select(loop => Task.Run(() => traffic.RunAsync(loop, new Random(seed + loop))))];
        return traffic;
    }

    /// <summary>Stops the loops once their requests in flight are answered; idempotent.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        _elapsed ??= Stopwatch.GetElapsedTime(_started);
    }

    /// <summary>Counts and rate, and the first failures, for a log line or an assertion message.</summary>
    public string Summary(int maxFailures = 20)
    {
        var elapsed = _elapsed ?? Stopwatch.GetElapsedTime(_started);
        var requests = Increments + Reads + Writes + Failed;
        var text = $"seed {Seed}: {requests} requests in {elapsed.TotalSeconds:0.0} s ({requests / Math.Max(elapsed.TotalSeconds, 0.001):0}/s): " +
                   $"{Increments} increments acknowledged, {Uncertain} uncertain, {Reads} reads, {Writes} writes acknowledged, {Failed} failed; slowest answer {TimeSpan.FromTicks(Interlocked.Read(ref _slowestTicks)).TotalMilliseconds:0} ms";
        var failures = Failures;
        if (failures.Count > 0)
        {
            text += $"; first {Math.Min(maxFailures, failures.Count)} failures:\n  " + string.Join("\n  ", failures.Take(maxFailures));
        }

        return text;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task RunAsync(int loop, Random random)
    {
        var attribute = WrittenAttribute(loop);
        var written = 0L;
        while (!_stop.IsCancellationRequested)
        {
            var session = _sessions[random.Next(_sessions.Count)];
            switch (random.Next(_writeAttributes ? 3 : 2))
            {
                case 0:
                    await IncrementAsync(session);
                    break;
                case 1:
                    await ReadAsync(session);
                    break;
                default:
                    await WriteAsync(session, attribute, ++written);
                    break;
            }
        }
    }

    private async Task WriteAsync(TrackedSession session, string name, long value)
    {
        var call = Timed(await _client.PutAttributeAsync(session, name, value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        // The answer is the session document after the write.
        var acknowledged = Replaced(session, call) is null && call.Succeeded && call.BodyId == session.Id && call.Attribute(name) == value;
        session.RecordWrite(name, value, acknowledged);
        if (Replaced(session, call) is { } replaced)
        {
            Fail(replaced);
        }
        else if (!acknowledged)
        {
            Fail($"write of {name} = {value} failed: {call}");
        }
        else
        {
            Interlocked.Increment(ref _writes);
        }
    }

    private async Task IncrementAsync(TrackedSession session)
    {
        var call = Timed(await _client.IncrementAsync(session, Counter));
        if (Replaced(session, call) is { } replaced)
        {
            Fail(replaced);
        }
        else if (_tolerateUncertain && call.Status == 503 &&
                 (call.Body.Contains("may or may not have been applied", StringComparison.Ordinal) || call.Body.Contains("did not answer in time", StringComparison.Ordinal)))
        {
            session.MarkUncertain();
            Interlocked.Increment(ref _uncertain);
        }
        else if (!call.Succeeded || call.Value is not { } value)
        {
            Fail($"increment failed: {call}");
        }
        else if (!session.Acknowledge(value))
        {
            Fail($"increment answered {value}, which an earlier increment of the session already answered: {call}");
        }
        else
        {
            Interlocked.Increment(ref _increments);
        }
    }

    private async Task ReadAsync(TrackedSession session)
    {
        var acknowledged = session.Acknowledged;
        var call = Timed(acknowledged == 0 ? await _client.GetAsync(session) : await _client.ReadAttributeAsync(session, Counter));
        if (Replaced(session, call) is { } replaced)
        {
            Fail(replaced);
        }
        else if (!call.Succeeded)
        {
            Fail($"read failed ({acknowledged} increments acknowledged before it): {call}");
        }
        else if (acknowledged == 0 ? call.BodyId != session.Id : call.Value is not { } value || value < acknowledged)
        {
            Fail($"read answered for the wrong session or an older counter ({acknowledged} increments acknowledged before it was sent): {call}");
        }
        else
        {
            Interlocked.Increment(ref _reads);
        }
    }

    /// <summary>Keeps the longest time any request took (a moving shard holds its requests until its new home serves it).</summary>
    private SessionCall Timed(SessionCall call)
    {
        var ticks = call.Elapsed.Ticks;
        var slowest = Interlocked.Read(ref _slowestTicks);
        while (ticks > slowest && Interlocked.CompareExchange(ref _slowestTicks, ticks, slowest) != slowest)
        {
            slowest = Interlocked.Read(ref _slowestTicks);
        }

        return call;
    }

    /// <summary>A failure message when the response carries a cookie for another session, else null.</summary>
    private static string? Replaced(TrackedSession session, SessionCall call) =>
        call.Cookie is not null && call.CookieId != session.Id
            ? $"session {session.Id} ({session.Acknowledged} increments acknowledged) is gone: the node answered for a new session {call.CookieId}: {call}"
            : null;

    private void Fail(string failure)
    {
        // The count is exact; the texts stop at a bound, so that a node answering nothing but 503 cannot fill the memory.
        if (Interlocked.Increment(ref _failed) <= MaxFailuresKept)
        {
            _failures.Enqueue(failure);
        }
    }
}
