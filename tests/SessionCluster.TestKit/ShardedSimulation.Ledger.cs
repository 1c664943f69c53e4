using System.Globalization;
using System.Text;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.TestKit;

// The ledger: the load that increments counters and sets an attribute, what the cluster answered, and the read-back
// that checks it.
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

    /// <summary>Reads every session through random nodes and checks it against the ledger: every value an acknowledged
    /// increment returned is distinct (none lost and redone), and the counter lies between the acknowledged increments and
    /// those plus the ones whose outcome is unknown; the value of <see cref="RunSets"/>'s attribute is the last one a set
    /// was acknowledged for, or a later one whose set's outcome is unknown. Sessions of lost shards are skipped.</summary>
    /// <returns>The sessions that are wrong, each with what was read and what the ledger holds.</returns>
    public IReadOnlyList<SessionDiscrepancy> CheckSessions(TimeSpan timeout)
    {
        var answered = 0;
        var wrong = new List<SessionDiscrepancy>();
        var checkedSessions = _ledger.Where(entry => !IsLost(entry.Key)).ToList();
        foreach (var (id, ledger) in checkedSessions)
        {
            Read(id, ledger, attemptsLeft: 5);
        }

        // A read is idempotent, so one lost on a lossy network is simply asked again, like a browser retrying a 503.
        void Read(SessionId id, SessionLedger ledger, int attemptsLeft) =>
            Pick().Submit(new GetSession(id), reply =>
            {
                if (reply is ShardUnavailable && attemptsLeft > 1)
                {
                    Read(id, ledger, attemptsLeft - 1);
                    return;
                }

                answered++;
                var shard = ShardId.Of(id, Settings.NumberOfShards);
                var acknowledged = ledger.Acknowledged.Count;
                if (reply is not SessionSnapshot snapshot)
                {
                    wrong.Add(new SessionDiscrepancy(id, shard, null, acknowledged, ledger.Unknown, $"read answered {reply}"));
                    return;
                }

                if (SetProblem(ledger, AttributeOf(snapshot, Written)) is { } setProblem)
                {
                    wrong.Add(new SessionDiscrepancy(id, shard, null, acknowledged, ledger.Unknown, setProblem));
                }

                var actual = AttributeOf(snapshot, Counter) is { } counter ? ParseCounter(counter) : 0;
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

    /// <summary>Sets acknowledged so far, over all sessions (see <see cref="RunSets"/>).</summary>
    public int AcknowledgedSets { get; private set; }

    /// <summary>Sends <paramref name="perStep"/> sets of one attribute through random nodes every <paramref name="interval"/>
    /// of virtual time, until the returned handle is disposed: each to a random session with no set in flight, each with
    /// a value above every value sent to that session before. A set is not repeated safely later (a late copy would undo
    /// a newer write), so no node may send one again on its own; what a session holds at the end must be its last
    /// acknowledged value or a later one whose outcome the cluster left unknown.</summary>
    public IDisposable RunSets(int perStep, TimeSpan interval) =>
        Simulation.Clock.CreateTimer(_ => SetSome(perStep), null, interval, interval);

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
                        RecordUnavailable(unavailable);
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

        var ids = _ledger.Keys.Where(id => !IsLost(id)).ToList();
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
                        RecordUnavailable(unavailable);
                        if (!unavailable.MayHaveApplied)
                        {
                            ledger.Unknown--;
                        }

                        break;
                    case SessionNotFound when IsLost(id):
                        // Its shard died with its home after this request was sent; the session is gone.
                        break;
                    default:
                        Errors.Add($"increment {id}: {reply}");
                        break;
                }
            });
        }
    }

    private void SetSome(int count)
    {
        var idle = _ledger.Where(entry => !entry.Value.SetInFlight && !IsLost(entry.Key))
            .Select(entry => entry.Key)
            .ToList();
        for (var i = 0; i < count && idle.Count > 0; i++)
        {
            var index = _random.Next(idle.Count);
            var id = idle[index];
            idle.RemoveAt(index);
            var ledger = _ledger[id];
            var value = ++ledger.LastSetSent;
            ledger.SetInFlight = true;
            InFlight++;
            Pick().Submit(new SetAttribute(id, Written, Encoding.UTF8.GetBytes(value.ToString(CultureInfo.InvariantCulture))), reply =>
            {
                InFlight--;
                ledger.SetInFlight = false;
                switch (reply)
                {
                    case SessionSnapshot:
                        ledger.LastSetAcknowledged = value;
                        AcknowledgedSets++;
                        break;
                    case ShardUnavailable unavailable:
                        RecordUnavailable(unavailable);
                        if (unavailable.MayHaveApplied)
                        {
                            ledger.UnknownSets.Add(value);
                        }

                        break;
                    case SessionNotFound when IsLost(id):
                        break;
                    default:
                        Errors.Add($"set {id}: {reply}");
                        break;
                }
            });
        }
    }

    /// <summary>What is wrong with the set attribute's value read back, or null.</summary>
    private static string? SetProblem(SessionLedger ledger, byte[]? json)
    {
        var actual = json is null ? 0 : ParseCounter(json);
        return actual == ledger.LastSetAcknowledged || (actual > ledger.LastSetAcknowledged && ledger.UnknownSets.Contains(actual))
            ? null
            : $"set attribute read {actual}: last acknowledged {ledger.LastSetAcknowledged}, unknown outcomes [{string.Join(",", ledger.UnknownSets)}], last sent {ledger.LastSetSent}";
    }

    private static byte[]? AttributeOf(SessionSnapshot snapshot, string name)
    {
        foreach (var (attribute, json) in snapshot.Attributes)
        {
            if (attribute == name)
            {
                return json;
            }
        }

        return null;
    }

    private void RecordUnavailable(ShardUnavailable unavailable) =>
        Unavailable.Add($"{Simulation.Elapsed.TotalMilliseconds:0}ms shard {unavailable.Shard}: {unavailable.Reason}");

    /// <summary>True if the session's shard died with its home (replication-factor 1): left out of load and checks.</summary>
    private bool IsLost(SessionId id) => _lostShards.Contains(ShardId.Of(id, Settings.NumberOfShards));

    private static long ParseCounter(byte[] json) => long.Parse(Encoding.UTF8.GetString(json), CultureInfo.InvariantCulture);

    /// <summary>What the cluster acknowledged for one session.</summary>
    private sealed class SessionLedger
    {
        public List<long> Acknowledged { get; } = [];

        public int Unknown { get; set; }

        public long LastSetSent { get; set; }

        public long LastSetAcknowledged { get; set; }

        public bool SetInFlight { get; set; }

        /// <summary>Values of sets answered "may have applied".</summary>
        public HashSet<long> UnknownSets { get; } = [];
    }
}
