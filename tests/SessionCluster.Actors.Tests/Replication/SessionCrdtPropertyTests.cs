using FsCheck.Fluent;
using SessionCluster.Actors.Replication;

namespace SessionCluster.Actors.Tests.Replication;

/// <summary>The merge laws and convergence of <see cref="SessionCrdt"/> (and so of <see cref="AttributeMap"/> and
/// <see cref="RecentIncrements"/>), over states that three concurrently writing (and retrying) replicas reach through
/// random steps.</summary>
public sealed class SessionCrdtPropertyTests
{
    private static readonly FsCheck.Arbitrary<List<Step>> Steps = ReplicationGen.Steps(ReplicationGen.Step);
    private static readonly FsCheck.Arbitrary<List<Step>> LiveSteps = ReplicationGen.Steps(ReplicationGen.LiveStep);

    /// <summary>Steps with a garbage-collection barrier now and then.</summary>
    private static readonly FsCheck.Arbitrary<List<Step>> CollectingSteps = ReplicationGen.Steps(
        Gen.Frequency((20, ReplicationGen.LiveStep), (1, ReplicationGen.Step.Select(step => step with { Kind = StepKind.CollectGarbage }))));

    [Fact]
    public void Merge_IsCommutativeAssociativeIdempotent() =>
        ReplicationGen.Check(Prop.ForAll(Steps, steps => HoldsLaws(ReplicaSimulation.Run(steps).States)));

    [Fact]
    public void Merge_WithGarbageCollection_IsCommutativeAssociativeIdempotent() =>
        ReplicationGen.Check(Prop.ForAll(CollectingSteps, steps => HoldsLaws(ReplicaSimulation.Run(steps, collectGarbage: true).States)));

    [Fact]
    public void Deltas_AppliedToAnOlderReplicaInAnyOrderWithDuplicates_EqualMergingFullStates() =>
        ReplicationGen.Check(Prop.ForAll(Steps, Steps, Arb.From(Gen.Choose(0, int.MaxValue)), (before, after, seed) =>
        {
            // Replica 1 is synced with replica 0 after the first steps, then both go on writing on their own.
            var simulation = ReplicaSimulation.Run(before);
            simulation.Heal();
            var sent = simulation.Deltas.Count;
            foreach (var step in after.Where(step => step.Kind is not (StepKind.Deliver or StepKind.AntiEntropy) && step.Replica < 2))
            {
                simulation.Apply(step);
            }

            var random = new Random(seed);
            var fromZero = simulation.Deltas.Skip(sent).Where(delta => delta.From == 0).Select(delta => delta.Delta).ToList();
            var shuffled = fromZero.Concat(fromZero.Where(_ => random.Next(3) == 0)).OrderBy(_ => random.Next());
            var viaDeltas = shuffled.Aggregate(simulation.States[1], (state, delta) => state.Apply(delta));
            return viaDeltas.Equals(SessionCrdt.Merge(simulation.States[1], simulation.States[0]));
        }));

    [Fact]
    public void Replicas_AfterLossDuplicationReorderingAndAntiEntropy_Converge() =>
        ReplicationGen.Check(Prop.ForAll(Steps, Arb.From(Gen.Choose(1, 4)), (steps, dropEvery) =>
        {
            var simulation = ReplicaSimulation.Run(steps);
            simulation.Drop(dropEvery);
            simulation.Heal();
            var states = simulation.States;
            return states[0].Equals(states[1]) && states[1].Equals(states[2]);
        }));

    [Fact]
    public void Increments_ConcurrentOnAllReplicas_AllCountAfterConvergence()
    {
        // Retries too: one answered as a repeat must add nothing, one applied again (not remembered there) counts.
        var counting = Gen.Frequency(
            (5, ReplicationGen.LiveStep.Select(step => step with { Kind = StepKind.Increment })),
            (2, ReplicationGen.LiveStep.Select(step => step with { Kind = StepKind.Retry })),
            (5, ReplicationGen.LiveStep.Select(step => step with { Kind = StepKind.Deliver })));
        ReplicationGen.Check(Prop.ForAll(ReplicationGen.Steps(counting), Arb.From(Gen.Choose(1, 4)), (steps, dropEvery) =>
        {
            var simulation = ReplicaSimulation.Run(steps);
            simulation.Drop(dropEvery);
            simulation.Heal();
            return ReplicaSimulation.Names.All(name =>
                simulation.States[0].Get(name) is var value &&
                (simulation.AcceptedIncrements.TryGetValue(name, out var sum)
                    ? value is not null && System.Text.Encoding.UTF8.GetString(value) == sum.ToString()
                    : value is null));
        }));
    }

    [Fact]
    public void RecentIncrements_AfterHeal_AreTheNewestApplicationsOnEveryReplica() =>
        ReplicationGen.Check(Prop.ForAll(LiveSteps, Arb.From(Gen.Choose(1, 4)), (steps, dropEvery) =>
        {
            var simulation = ReplicaSimulation.Run(steps);
            simulation.Drop(dropEvery);
            simulation.Heal();
            var expected = RecentIncrements.Of(simulation.Applied);
            return simulation.States.All(state => state.RecentIncrements == expected);
        }));

    [Fact]
    public void Retry_AfterHeal_IsAnsweredWithItsValueOnEveryReplica_ExactlyWhileRemembered() =>
        ReplicationGen.Check(Prop.ForAll(LiveSteps, Arb.From(Gen.Choose(0, int.MaxValue)), (steps, pick) =>
        {
            var simulation = ReplicaSimulation.Run(steps);
            simulation.Heal();
            if (simulation.Applied.Count == 0)
            {
                return true;
            }

            var retried = simulation.Applied[pick % simulation.Applied.Count];
            var remembered = RecentIncrements.Of(simulation.Applied).Find(retried.OperationId, retried.Name);
            return simulation.States.Select((state, i) =>
            {
                var replica = ReplicaSimulation.Replica(i);
                var (next, delta, value, _, repeated) = state.Increment(
                    retried.Name, 1, retried.OperationId, replica, HybridLogicalClock.Next(state.NewestTimestamp, replica, 0));
                return remembered is { } first
                    ? repeated && value == first.Value && ReferenceEquals(next, state) && state.Apply(delta).Equals(state)
                    : !repeated;
            }).All(holds => holds);
        }));

    [Fact]
    public void Repeats_AnswerAValueThatAnApplicationOfTheSameOperationLeft() =>
        ReplicationGen.Check(Prop.ForAll(Steps, steps =>
        {
            var simulation = ReplicaSimulation.Run(steps);
            return simulation.Repeats.All(repeat => simulation.Applied.Exists(applied => applied.OperationId == repeat.Id && applied.Value == repeat.Value));
        }));

    [Fact]
    public void Set_MadeAfterMergingIncrements_WinsOnEveryReplica() =>
        ReplicationGen.Check(Prop.ForAll(LiveSteps, Arb.From(Gen.Choose(0, 2)), (steps, writer) =>
        {
            var simulation = ReplicaSimulation.Run(steps);
            simulation.Heal();
            simulation.Apply(new Step(StepKind.Set, writer, 0, 7, 1));
            simulation.Heal();
            return simulation.States.All(state => state.Get("a") is [(byte)'7']);
        }));

    [Fact]
    public void End_WinsOverEveryOlderWriteOnEveryReplica() =>
        ReplicationGen.Check(Prop.ForAll(LiveSteps, Arb.From(Gen.Choose(0, 2)), (steps, ender) =>
        {
            var simulation = ReplicaSimulation.Run(steps);
            simulation.Apply(new Step(StepKind.End, ender, 0, 1, 1));
            simulation.Heal();
            return simulation.States.All(state => state.IsEnded && state.AttributeCount == 0 && state.Ended!.Value == SessionEndReason.Invalidated);
        }));

    [Fact]
    public void CollectGarbage_AtStablePoints_ChangesNothingAReaderSees()
    {
        // The same steps twice, once collecting at each barrier and once never: stale deltas still in flight at a
        // barrier are delivered afterwards in both runs, so a resurrection would show as a difference.
        ReplicationGen.Check(Prop.ForAll(CollectingSteps, Arb.From(Gen.Choose(1, 4)), (steps, dropEvery) =>
        {
            var collecting = ReplicaSimulation.Run(steps, collectGarbage: true);
            var keeping = ReplicaSimulation.Run(steps, collectGarbage: false);
            for (var i = 0; i < ReplicaSimulation.Replicas; i++)
            {
                if (!SameView(collecting.States[i], keeping.States[i]))
                {
                    return false;
                }
            }

            collecting.Drop(dropEvery);
            keeping.Drop(dropEvery);
            collecting.Heal();
            keeping.Heal();
            return SameView(collecting.States[0], keeping.States[0]) &&
                collecting.States[0].Attributes.TombstoneCount <= keeping.States[0].Attributes.TombstoneCount;
        }));
    }

    [Fact]
    public void CollectGarbage_ThenMergingWithAReplicaThatAcknowledged_NeverResurrects() =>
        ReplicationGen.Check(Prop.ForAll(LiveSteps, LiveSteps, (before, after) =>
        {
            // Every replica integrates everything (acknowledges), then only replica 0 collects; replica 1 keeps its
            // tombstones and goes on writing; every delta ever made is then redelivered to both.
            var simulation = ReplicaSimulation.Run(before);
            simulation.Heal();
            var stable = simulation.StableNow();
            simulation.States[0] = simulation.States[0].CollectGarbage(stable);
            var uncollected = simulation.States[1];
            foreach (var step in after.Where(step => step.Replica == 1 && step.Kind is not (StepKind.Deliver or StepKind.AntiEntropy)))
            {
                simulation.Apply(step);
            }

            var everything = simulation.Deltas.Select(delta => delta.Delta).ToList();
            var collected = everything.Aggregate(SessionCrdt.Merge(simulation.States[0], simulation.States[1]), (state, delta) => state.Apply(delta));
            var kept = everything.Aggregate(SessionCrdt.Merge(uncollected, simulation.States[1]), (state, delta) => state.Apply(delta));
            return SameView(collected, kept) && SameView(SessionCrdt.Merge(simulation.States[0], uncollected), uncollected);
        }));

    private static bool HoldsLaws(SessionCrdt[] states)
    {
        var (x, y, z) = (states[0], states[1], states[2]);
        return SessionCrdt.Merge(x, y).Equals(SessionCrdt.Merge(y, x)) &&
            SessionCrdt.Merge(SessionCrdt.Merge(x, y), z).Equals(SessionCrdt.Merge(x, SessionCrdt.Merge(y, z))) &&
            SessionCrdt.Merge(x, x).Equals(x) &&
            SessionCrdt.Merge(SessionCrdt.Merge(x, y), y).Equals(SessionCrdt.Merge(x, y));
    }

    private static bool SameView(SessionCrdt left, SessionCrdt right) =>
        left.IsEnded == right.IsEnded &&
        left.LastAccessed == right.LastAccessed &&
        left.SizeInBytes == right.SizeInBytes &&
        left.VisibleAttributes().Select(pair => (pair.Key, Convert.ToHexString(pair.Value)))
            .SequenceEqual(right.VisibleAttributes().Select(pair => (pair.Key, Convert.ToHexString(pair.Value))));
}
