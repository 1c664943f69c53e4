using System.Globalization;
using System.Text;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.TestKit;

// The ledger: the load that increments counters, what the cluster answered, and the read-back that checks it.
public sealed partial class ShardedSimulation
{
    /// <summary>Acknowledged increments so far, over all sessions.</summary>
    public int AcknowledgedIncrements => _ledger.Values.Sum(ledger => ledger.Acknowledged.Count);

    /// <summary>Reads every session's counter back and fails with the seed and the first discrepancies if any session
    /// is wrong (see <see cref="CheckSessions"/>).</summary>
    public void VerifySessions(TimeSpan timeout)
    {
        var wrong = CheckSessions(timeout);
        if (wrong.Count > 0)
        {
            throw new InvalidOperationException($"Seed {Simulation.Seed}: {wrong.Count} sessions wrong: {string.Join("; ", wrong.Take(5))}");
        }
    }

    /// <summary>Reads every session's counter through random nodes and checks it against the ledger: every value an
    /// acknowledged increment returned is distinct (none lost and redone), and the final value lies between the
    /// acknowledged increments and those plus the ones whose outcome is unknown. Sessions of lost shards are skipped.</summary>
    /// <returns>The sessions that are wrong, each with what was read and what the ledger holds.</returns>
    public IReadOnlyList<SessionDiscrepancy> CheckSessions(TimeSpan timeout)
    {
        var answered = 0;
        var wrong = new List<SessionDiscrepancy>();
        var checkedSessions = _ledger.Where(entry => !_lostShards.Contains(ShardId.Of(entry.Key, Settings.NumberOfShards))).ToList();
        foreach (var (id, ledger) in checkedSessions)
        {
            Read(id, ledger, attemptsLeft: 5);
        }

        // A read is idempotent, so one lost on a lossy network is simply asked again, like a browser retrying a 503.
        void Read(SessionId id, SessionLedger ledger, int attemptsLeft) =>
            Pick().Submit(new GetAttribute(id, Counter), reply =>
            {
                if (reply is ShardUnavailable && attemptsLeft > 1)
                {
                    Read(id, ledger, attemptsLeft - 1);
                    return;
                }

                answered++;
                var shard = ShardId.Of(id, Settings.NumberOfShards);
                var acknowledged = ledger.Acknowledged.Count;
                if (reply is not AttributeValue value)
                {
                    wrong.Add(new SessionDiscrepancy(id, shard, null, acknowledged, ledger.Unknown, $"read answered {reply}"));
                    return;
                }

                var actual = value.JsonValue is null ? 0 : ParseCounter(value.JsonValue);
                if (acknowledged != ledger.Acknowledged.Distinct().Count())
                {
                    wrong.Add(new SessionDiscrepancy(id, shard, actual, acknowledged, ledger.Unknown, $"acknowledged values repeat: {string.Join(",", ledger.Acknowledged)}"));
                }
                else if (actual < acknowledged || actual > acknowledged + ledger.Unknown)
                {
                    wrong.Add(new SessionDiscrepancy(id, shard, actual, acknowledged, ledger.Unknown, "value out of range"));
                }
            });

        Simulation.RunUntil(() => answered == checkedSessions.Count, timeout, "every session read back");
        return wrong;
    }

    /// <summary>Sessions created with their first increment in the same command (<see cref="CreateSession.Then"/>) and
    /// acknowledged, so far.</summary>
    public int CreatedWithIncrement { get; private set; }

    /// <summary>Creates <paramref name="perStep"/> sessions through random nodes every <paramref name="interval"/> of virtual
    /// time, each with a first increment in the creating command, until the returned handle is disposed. An acknowledged
    /// one enters the ledger with that increment; one whose outcome is unknown stays out of it (it may not exist).</summary>
    public IDisposable RunCreations(int perStep, TimeSpan interval) =>
        Simulation.Clock.CreateTimer(_ => CreateSomeWithIncrement(perStep), null, interval, interval);

    private void CreateSomeWithIncrement(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var id = NewId();
            InFlight++;
            Pick().Submit(new CreateSession(id, Then: new IncrementAttribute(id, Counter, 1, ++_lastOperationId)), reply =>
            {
                InFlight--;
                switch (reply)
                {
                    case AttributeValue value:
                        var ledger = new SessionLedger();
                        ledger.Acknowledged.Add(ParseCounter(value.JsonValue!));
                        _ledger[id] = ledger;
                        CreatedWithIncrement++;
                        break;
                    case ShardUnavailable unavailable:
                        Unavailable.Add($"{Simulation.Elapsed.TotalMilliseconds:0}ms shard {unavailable.Shard}: {unavailable.Reason}");
                        break;
                    default:
                        Errors.Add($"create {id} with an increment: {reply}");
                        break;
                }
            });
        }
    }

    private void IncrementSome(int count)
    {
        if (_ledger.Count == 0)
        {
            return;
        }

        var ids = _ledger.Keys.Where(id => !_lostShards.Contains(ShardId.Of(id, Settings.NumberOfShards))).ToList();
        for (var i = 0; i < count; i++)
        {
            var id = ids[_random.Next(ids.Count)];
            var ledger = _ledger[id];
            InFlight++;
            ledger.Unknown++;
            // Operation ids counted rather than drawn: unique in the run, and the seed's draws stay as they were.
            Pick().Submit(new IncrementAttribute(id, Counter, 1, ++_lastOperationId), reply =>
            {
                InFlight--;
                switch (reply)
                {
                    case AttributeValue value:
                        ledger.Unknown--;
                        ledger.Acknowledged.Add(ParseCounter(value.JsonValue!));
                        break;
                    case ShardUnavailable unavailable:
                        Unavailable.Add($"{Simulation.Elapsed.TotalMilliseconds:0}ms shard {unavailable.Shard}: {unavailable.Reason}");
                        if (!unavailable.MayHaveApplied)
                        {
                            ledger.Unknown--;
                        }

                        break;
                    case SessionNotFound when _lostShards.Contains(ShardId.Of(id, Settings.NumberOfShards)):
                        // Its shard died with its home after this request was sent; the session is gone.
                        break;
                    default:
                        Errors.Add($"increment {id}: {reply}");
                        break;
                }
            });
        }
    }

    private static long ParseCounter(byte[] json) => long.Parse(Encoding.UTF8.GetString(json), CultureInfo.InvariantCulture);

    /// <summary>What the cluster acknowledged for one session.</summary>
    private sealed class SessionLedger
    {
        public List<long> Acknowledged { get; } = [];

        public int Unknown { get; set; }
    }
}
