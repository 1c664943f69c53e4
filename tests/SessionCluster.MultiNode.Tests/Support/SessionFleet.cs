using System.Collections.Concurrent;

namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>Sessions created through one node, each with its ledger of acknowledged increments, and the checks of their counters.</summary>
internal sealed class SessionFleet
{
    private SessionFleet(IReadOnlyList<TrackedSession> sessions) => Sessions = sessions;

    public IReadOnlyList<TrackedSession> Sessions { get; }

    /// <summary>
    /// Creates <paramref name="count"/> sessions with <paramref name="inFlight"/> requests at a time, one
    /// <c>GET /session</c> without a cookie each. Every request that did not yield a new session (a non-2xx answer, no
    /// cookie, a cookie and body that disagree, an id seen before) is returned as a failure.
    /// </summary>
    public static async Task<(SessionFleet Fleet, IReadOnlyList<string> Failures)> CreateAsync(SessionContractClient client, int count, int inFlight)
    {
        var created = new ConcurrentDictionary<string, TrackedSession>();
        var failures = new ConcurrentQueue<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = inFlight }, async (_, _) =>
        {
            var call = await client.CreateAsync();
            if (!call.Succeeded || call.Cookie is null || call.CookieId is not { Length: 32 } id)
            {
                failures.Enqueue($"creation failed: {call}");
            }
            else if (call.BodyId != id)
            {
                failures.Enqueue($"the cookie names session {id}, the body {call.BodyId}: {call}");
            }
            else if (!created.TryAdd(id, new TrackedSession(id, call.Cookie)))
            {
                failures.Enqueue($"session {id} was created twice: {call}");
            }
        });

        return (new SessionFleet([.. created.Values.OrderBy(session => session.Id, StringComparer.Ordinal)]), [.. failures]);
    }

    /// <summary>
    /// Reads attribute <paramref name="name"/> of every session, <paramref name="inFlight"/> at a time, with no other
    /// request in flight, and returns every discrepancy: a counter that differs from its acknowledged increments
    /// (a session never incremented must answer 404), a failed read, or a response that replaced the session (a new
    /// cookie means the node no longer knew it).
    /// </summary>
    public async Task<IReadOnlyList<string>> VerifyCountersAsync(SessionContractClient client, string name, int inFlight)
    {
        var discrepancies = new ConcurrentQueue<string>();
        await Parallel.ForEachAsync(Sessions, new ParallelOptions { MaxDegreeOfParallelism = inFlight }, async (session, _) =>
        {
            var expected = session.Acknowledged;
            var uncertain = session.Uncertain;
            var call = await client.ReadAttributeAsync(session, name);
            var value = call.Status == 404 ? 0 : call.Value;
            if (call.Cookie is not null && call.CookieId != session.Id)
            {
                discrepancies.Enqueue($"session {session.Id} ({expected} increments acknowledged) is gone, the node answered for a new session: {call}");
            }
            else if (expected + uncertain == 0 ? call.Status != 404 : (call.Status != 404 && !call.Succeeded) || value < expected || value > expected + uncertain)
            {
                var wanted = expected + uncertain == 0 ? "404 (never incremented)"
                    : uncertain == 0 ? $"{name} = {expected}" : $"{name} from {expected} to {expected + uncertain} ({uncertain} uncertain)";
                discrepancies.Enqueue($"session {session.Id}: expected {wanted}, got {call}");
            }
        });

        return [.. discrepancies];
    }
}
