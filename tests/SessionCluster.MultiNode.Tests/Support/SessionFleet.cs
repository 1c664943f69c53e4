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

    /// <summary>
    /// Reads every session whole (<c>GET /session</c>), <paramref name="inFlight"/> at a time, with no other request in
    /// flight, and returns every discrepancy: a failed read, a response that replaced the session, a counter
    /// <paramref name="counter"/> other than its acknowledged increments (absent when there were none), and a written
    /// attribute that does not hold its last acknowledged value (see <see cref="AttributeLedger.Allows"/>).
    /// </summary>
    public async Task<IReadOnlyList<string>> VerifySessionsAsync(SessionContractClient client, string counter, int inFlight)
    {
        var discrepancies = new ConcurrentQueue<string>();
        await Parallel.ForEachAsync(Sessions, new ParallelOptions { MaxDegreeOfParallelism = inFlight }, async (session, _) =>
        {
            var expected = session.Acknowledged;
            var uncertain = session.Uncertain;
            var written = session.Written;
            var call = await client.GetAsync(session);
            if (call.Cookie is not null && call.CookieId != session.Id)
            {
                discrepancies.Enqueue($"session {session.Id} ({expected} increments acknowledged) is gone, the node answered for a new session: {call}");
                return;
            }

            if (!call.Succeeded || call.BodyId != session.Id)
            {
                discrepancies.Enqueue($"session {session.Id}: the read failed or answered for another session: {call}");
                return;
            }

            var attributes = Attributes(call.Body);
            var value = attributes.GetValueOrDefault(counter);
            if (expected + uncertain == 0 ? value is not null : value is not { } total || total < expected || total > expected + uncertain)
            {
                var wanted = expected + uncertain == 0 ? "no counter (never incremented)"
                    : uncertain == 0 ? $"{counter} = {expected}" : $"{counter} from {expected} to {expected + uncertain} ({uncertain} uncertain)";
                discrepancies.Enqueue($"session {session.Id}: expected {wanted}, got {call}");
            }

            foreach (var (name, ledger) in written)
            {
                if (!ledger.Allows(attributes.GetValueOrDefault(name)))
                {
                    var wanted = ledger.LastAcknowledged is { } last ? $"{name} = {last}" : $"no {name} (no write acknowledged)";
                    var failed = ledger.Unacknowledged.Count == 0 ? "" : $" or one of the failed writes' values [{string.Join(", ", ledger.Unacknowledged)}]";
                    discrepancies.Enqueue($"session {session.Id}: expected {wanted}{failed}, got {call}");
                }
            }
        });

        return [.. discrepancies];
    }

    /// <summary>The integer attributes of a session document (<c>attributes</c> of <c>GET /session</c>); other values are left out.</summary>
    private static Dictionary<string, long?> Attributes(string body)
    {
        using var document = System.Text.Json.JsonDocument.Parse(body);
        return document.RootElement.GetProperty("attributes").EnumerateObject()
            .Where(attribute => attribute.Value.ValueKind == System.Text.Json.JsonValueKind.Number && attribute.Value.TryGetInt64(out _))
            .ToDictionary(attribute => attribute.Name, attribute => (long?)attribute.Value.GetInt64(), StringComparer.Ordinal);
    }
}
