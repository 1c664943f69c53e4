using System.Text;
using SessionCluster.Actors.Replication;

namespace SessionCluster.Actors.Tests.Replication;

/// <summary>What one step of a <see cref="ReplicaSimulation"/> does.</summary>
internal enum StepKind
{
    Set,
    Remove,
    Increment,

    /// <summary>An earlier increment operation sent again (same id, name and step), as a region retries a command.</summary>
    Retry,
    Touch,
    End,
    Deliver,
    AntiEntropy,
    CollectGarbage,
}

/// <summary>One step: which replica acts, on which name, with what number, and how far its wall clock moves (may be
/// negative: clocks step back).</summary>
internal sealed record Step(StepKind Kind, int Replica, int Name, long Amount, int ClockStep)
{
    public override string ToString() => $"{Kind} r{Replica} n{Name} {Amount} dt{ClockStep}";
}

/// <summary>Three replicas of one session writing concurrently (every replica may write, as two owners would during a
/// partition), shipping every delta to the other two over a network that drops, duplicates and reorders.</summary>
/// <remarks>Deterministic: the steps say everything, so a failing property prints them and the run replays.</remarks>
internal sealed class ReplicaSimulation
{
    public const int Replicas = 3;
    public static readonly string[] Names = ["a", "b", "c"];
    public static readonly DateTimeOffset Created = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan MaxDrift = TimeSpan.FromTicks(1_000);

    private readonly List<(int To, SessionCrdt Delta, HlcTimestamp Stamp)> _inFlight = [];
    private readonly HybridLogicalClock[] _clocks = new HybridLogicalClock[Replicas];
    private readonly long[] _physical = new long[Replicas];
    private ulong _lastOperation;

    public ReplicaSimulation(bool collectGarbage)
    {
        CollectsGarbage = collectGarbage;
        var created = SessionCrdt.Create(0x1234, Created, TimeSpan.FromMinutes(30));
        States = [created, created, created];
        for (var i = 0; i < Replicas; i++)
        {
            _clocks[i] = new HybridLogicalClock(Replica(i), MaxDrift);
            _physical[i] = Created.UtcTicks;
        }
    }

    public bool CollectsGarbage { get; }

    public SessionCrdt[] States { get; }

    /// <summary>Every delta a write produced, in order, with the replica that made it.</summary>
    public List<(int From, SessionCrdt Delta)> Deltas { get; } = [];

    /// <summary>Per name, the sum of increments accepted while no Set, Remove or End touched that name.</summary>
    public Dictionary<string, long> AcceptedIncrements { get; } = [];

    public HashSet<string> Overwritten { get; } = [];

    /// <summary>Every increment operation accepted, once each: what a retry sends again.</summary>
    public List<(ulong Id, string Name, long By)> Operations { get; } = [];

    /// <summary>The record of every application of an increment: each first one, and each retry that was not recognised.</summary>
    public List<AppliedIncrement> Applied { get; } = [];

    /// <summary>Retries answered as repeats, with the value the answer carried.</summary>
    public List<(ulong Id, long Value)> Repeats { get; } = [];

    public static ReplicaId Replica(int index) => new($"node-{index}");

    public static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);

    public static ReplicaSimulation Run(IEnumerable<Step> steps, bool collectGarbage = false)
    {
        var simulation = new ReplicaSimulation(collectGarbage);
        foreach (var step in steps)
        {
            simulation.Apply(step);
        }

        return simulation;
    }

    public void Apply(Step step)
    {
        var r = step.Replica;
        _physical[r] += step.ClockStep;
        var name = Names[step.Name];
        var state = States[r];
        switch (step.Kind)
        {
            case StepKind.Set when !state.IsEnded:
                // Integers and strings, so increments meet both.
                Write(r, state.Set(name, Json(step.Amount % 3 == 0 ? $"\"s{step.Amount}\"" : $"{step.Amount}"), Stamp(r)));
                Overwritten.Add(name);
                break;
            case StepKind.Remove when !state.IsEnded:
                Write(r, state.Remove(name, Stamp(r)));
                Overwritten.Add(name);
                break;
            case StepKind.Increment when !state.IsEnded:
                Count(r, name, step.Amount, ++_lastOperation);
                break;
            case StepKind.Retry when !state.IsEnded && Operations.Count > 0:
                var (id, retried, by) = Operations[(int)(Math.Abs(step.Amount) % Operations.Count)];
                Count(r, retried, by, id);
                break;
            case StepKind.Touch when !state.IsEnded:
                Write(r, state.Touch(new DateTimeOffset(_physical[r], TimeSpan.Zero)));
                break;
            case StepKind.End when !state.IsEnded:
                Write(r, state.End(step.Amount % 2 == 0 ? SessionEndReason.Expired : SessionEndReason.Invalidated, Stamp(r)));
                break;
            case StepKind.Deliver when _inFlight.Count > 0:
                // Amount picks the message (reordering); its sign decides whether a copy stays in flight (duplication).
                var index = (int)(Math.Abs(step.Amount) % _inFlight.Count);
                var (to, message, stamp) = _inFlight[index];
                if (step.Amount >= 0)
                {
                    _inFlight.RemoveAt(index);
                }

                Receive(to, message, stamp);
                break;
            case StepKind.AntiEntropy:
                var from = (r + 1 + (int)(Math.Abs(step.Amount) % (Replicas - 1))) % Replicas;
                Receive(r, States[from], _clocks[from].Last);
                break;
            case StepKind.CollectGarbage:
                Barrier();
                break;
        }
    }

    /// <summary>Drops a random share of what is in flight: the network lost it.</summary>
    public void Drop(int everyNth)
    {
        for (var i = _inFlight.Count - 1; i >= 0; i -= everyNth)
        {
            _inFlight.RemoveAt(i);
        }
    }

    /// <summary>Full-state anti-entropy until quiet: every replica merges every other's state.</summary>
    public void Heal()
    {
        for (var round = 0; round < 2; round++)
        {
            for (var to = 0; to < Replicas; to++)
            {
                for (var from = 0; from < Replicas; from++)
                {
                    if (from != to)
                    {
                        Receive(to, States[from], _clocks[from].Last);
                    }
                }
            }
        }
    }

    /// <summary>Heals, so every replica has integrated every write so far, then (when collecting) every replica collects
    /// below a timestamp after all of them: exactly the stability the rule asks for. Deltas stay in flight, stale.</summary>
    public void Barrier()
    {
        Heal();
        if (!CollectsGarbage)
        {
            return;
        }

        var stable = StableNow();
        for (var i = 0; i < Replicas; i++)
        {
            States[i] = States[i].CollectGarbage(stable);
        }
    }

    /// <summary>After a heal: a timestamp that every write yet to come follows (each replica's next reading follows its
    /// last), and before which every replica holds every write, as a replicator learns it from acknowledgements.</summary>
    public HlcTimestamp StableNow() => _clocks.Min(clock => clock.Last);

    private HlcTimestamp Stamp(int replica)
    {
        var (clock, stamp) = _clocks[replica].Now(_physical[replica]);
        _clocks[replica] = clock;
        return stamp;
    }

    private void Count(int r, string name, long by, ulong operation)
    {
        var stamp = Stamp(r);
        var (next, delta, value, rejection, repeated) = States[r].Increment(name, by, operation, Replica(r), stamp);
        if (rejection is not null)
        {
            return;
        }

        Write(r, (next, delta));
        if (repeated)
        {
            Repeats.Add((operation, value));
            return;
        }

        AcceptedIncrements[name] = AcceptedIncrements.GetValueOrDefault(name) + by;
        Applied.Add(new AppliedIncrement(operation, name, value, stamp));
        if (!Operations.Exists(known => known.Id == operation))
        {
            Operations.Add((operation, name, by));
        }
    }

    private void Write(int from, (SessionCrdt State, SessionCrdt Delta) update)
    {
        States[from] = update.State;
        Deltas.Add((from, update.Delta));
        for (var to = 0; to < Replicas; to++)
        {
            if (to != from)
            {
                _inFlight.Add((to, update.Delta, _clocks[from].Last));
            }
        }
    }

    private void Receive(int to, SessionCrdt message, HlcTimestamp stamp)
    {
        States[to] = States[to].Apply(message);
        // The drift bound is generous here; a remote reading past it is not adopted, and the property still holds.
        _clocks[to] = _clocks[to].Observe(stamp, _physical[to]).Clock;
    }
}
