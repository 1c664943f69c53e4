using FsCheck.Fluent;
using SessionCluster.Actors.Replication;

namespace SessionCluster.Actors.Tests.Replication;

public sealed class PNCounterTests
{
    private static readonly ReplicaId A = new("a");
    private static readonly ReplicaId B = new("b");

    [Fact]
    public void Merge_ConcurrentIncrementsOnTwoReplicas_BothCount()
    {
        var shared = PNCounter.Empty.Increment(A, 10).State;
        var onA = shared.Increment(A, 5).State.Increment(A, -2).State;
        var onB = shared.Increment(B, 7).State;

        Assert.Equal(20, onA.Merge(onB).Value);
        Assert.Equal(20, onB.Merge(onA).Merge(onA).Value);
    }

    [Fact]
    public void Increment_ReturnsDeltaOfJustThatReplica()
    {
        var (state, delta) = PNCounter.Empty.Increment(A, 3).State.Increment(B, -4);

        Assert.Equal(-1, state.Value);
        Assert.Equal([(B, 0UL, 4UL)], delta.Entries.ToArray());
    }

    [Fact]
    public void Increment_ExtremeSteps_CountExactlyUntilTotalsAreExhausted()
    {
        var state = PNCounter.Empty.Increment(A, long.MinValue).State.Increment(A, long.MaxValue).State;
        Assert.Equal(-1, state.Value);

        // Increments now total 2^64 - 2: two more do not fit an unsigned 64-bit total, though the value would.
        var exhausted = state.Increment(A, long.MaxValue).State;
        Assert.Equal(long.MaxValue - 1, exhausted.Value);
        Assert.Throws<OverflowException>(() => exhausted.Increment(A, 2));
    }

    [Fact]
    public void Merge_IsCommutativeAssociativeIdempotent() =>
        ReplicationGen.Check(Prop.ForAll(Arb.From(ReplicationGen.Counter), Arb.From(ReplicationGen.Counter), Arb.From(ReplicationGen.Counter), (x, y, z) =>
            x.Merge(y).Equals(y.Merge(x)) &&
            x.Merge(y).Merge(z).Equals(x.Merge(y.Merge(z))) &&
            x.Merge(x).Equals(x)));

    [Fact]
    public void Deltas_AppliedInAnyOrderWithDuplicates_EqualFullStateMerge()
    {
        var steps = Gen.ListOf(Gen.Zip(ReplicationGen.Replica, Gen.Choose(-9, 9)));
        ReplicationGen.Check(Prop.ForAll(Arb.From(ReplicationGen.Counter), Arb.From(steps), Arb.From(Gen.Choose(0, int.MaxValue)), (old, ops, seed) =>
        {
            var source = old;
            var deltas = new List<PNCounter>();
            var sum = old.Value;
            foreach (var (replica, by) in ops)
            {
                (source, var delta) = source.Increment(replica, by);
                deltas.Add(delta);
                sum += by;
            }

            var random = new Random(seed);
            var shuffled = deltas.Concat(deltas.Where(_ => random.Next(2) == 0)).OrderBy(_ => random.Next()).ToList();
            var merged = shuffled.Aggregate(old, (state, delta) => state.Merge(delta));
            return merged.Equals(old.Merge(source)) && merged.Value == sum;
        }));
    }
}
