using FsCheck;
using FsCheck.Fluent;
using SessionCluster.Actors.Replication;

namespace SessionCluster.Actors.Tests.Replication;

/// <summary>FsCheck generators for the replication CRDTs and for simulation steps.</summary>
internal static class ReplicationGen
{
    public static readonly Gen<ReplicaId> Replica = Gen.Elements("node-0", "node-1", "node-2", "node-3").Select(name => new ReplicaId(name));

    /// <summary>Timestamps crowded onto few wall ticks so that ties on wall and logical parts happen often.</summary>
    public static readonly Gen<HlcTimestamp> Timestamp =
        from wall in Gen.Choose(0, 5)
        from logical in Gen.Choose(0, 3)
        from replica in Replica
        select new HlcTimestamp(wall, logical, replica);

    public static readonly Gen<VersionVector> Vector =
        Gen.ListOf(Gen.Zip(Replica, Gen.Choose(0, 4).Select(count => (long)count)))
            .Select(pairs => pairs.Aggregate(VersionVector.Empty, (vector, pair) =>
                vector.Merge(VersionVector.Of([new(pair.Item1, pair.Item2)]))));

    /// <summary>A counter as replicas build it: a sequence of increments and decrements.</summary>
    public static readonly Gen<PNCounter> Counter =
        Gen.ListOf(Gen.Zip(Replica, Gen.Choose(-5, 5)))
            .Select(steps => steps.Aggregate(PNCounter.Empty, (counter, step) => counter.Increment(step.Item1, step.Item2).State));

    /// <summary>A register whose value is a function of its timestamp: equal timestamps are the same write.</summary>
    public static readonly Gen<LwwRegister<string>> Register = Timestamp.Select(stamp => new LwwRegister<string>($"v{stamp}", stamp));

    /// <summary>Records on crowded timestamps, few ids and names, so that equal records and ties on a timestamp both occur.</summary>
    public static readonly Gen<AppliedIncrement> Applied =
        from operation in Gen.Choose(0, 6)
        from name in Gen.Elements("a", "b")
        from value in Gen.Choose(-3, 3)
        from stamp in Timestamp
        select new AppliedIncrement((ulong)operation, name, value, stamp);

    /// <summary>Sets of up to twice the capacity, so that merges evict.</summary>
    public static readonly Gen<AppliedIncrement[]> AppliedSet = Gen.ArrayOf(Applied).Select(all => all.Take(2 * RecentIncrements.Capacity).ToArray());

    public static readonly Gen<Step> Step =
        from kind in Gen.Frequency(
            (6, Gen.Constant(StepKind.Set)),
            (3, Gen.Constant(StepKind.Remove)),
            (10, Gen.Constant(StepKind.Increment)),
            (3, Gen.Constant(StepKind.Retry)),
            (2, Gen.Constant(StepKind.Touch)),
            (1, Gen.Constant(StepKind.End)),
            (14, Gen.Constant(StepKind.Deliver)),
            (2, Gen.Constant(StepKind.AntiEntropy)))
        from replica in Gen.Choose(0, ReplicaSimulation.Replicas - 1)
        from name in Gen.Choose(0, ReplicaSimulation.Names.Length - 1)
        from amount in Gen.Choose(-20, 20)
        from clockStep in Gen.Choose(-30, 40)
        select new Step(kind, replica, name, amount, clockStep);

    /// <summary>Steps without End, so the attributes survive to be compared.</summary>
    public static readonly Gen<Step> LiveStep = Step.Where(step => step.Kind != StepKind.End);

    public static Arbitrary<T[]> ArrayOf<T>(Gen<T> gen) => Arb.From(Gen.ArrayOf(gen));

    public static Arbitrary<List<Step>> Steps(Gen<Step> step) => Arb.From(Gen.ListOf(step).Select(steps => steps.ToList()));

    /// <summary>Runs <paramref name="property"/> on 500 cases and throws with the counterexample if one fails.</summary>
    public static void Check(Property property) => property.Check(Config.QuickThrowOnFailure.WithMaxTest(500));
}
