using FsCheck.Fluent;
using SessionCluster.Actors.Replication;

namespace SessionCluster.Actors.Tests.Replication;

public sealed class VersionVectorTests
{
    private static readonly ReplicaId A = new("a");
    private static readonly ReplicaId B = new("b");

    [Fact]
    public void Compare_ThroughIncrementsAndMerge_GivesEachOrder()
    {
        var a = VersionVector.Empty.Increment(A);
        var b = VersionVector.Empty.Increment(B);
        var both = a.Merge(b);

        Assert.Equal(CausalOrder.Equal, a.Compare(VersionVector.Of([new(A, 1), new(B, 0)])));
        Assert.Equal(CausalOrder.Before, a.Compare(both));
        Assert.Equal(CausalOrder.After, both.Compare(b));
        Assert.Equal(CausalOrder.Concurrent, a.Compare(b));
        Assert.Equal(2, both.Increment(B)[B]);
        Assert.Equal(0, a[B]);
    }

    [Fact]
    public void Merge_IsCommutativeAssociativeIdempotent() =>
        ReplicationGen.Check(Prop.ForAll(Arb.From(ReplicationGen.Vector), Arb.From(ReplicationGen.Vector), Arb.From(ReplicationGen.Vector), (x, y, z) =>
            x.Merge(y).Equals(y.Merge(x)) &&
            x.Merge(y).Merge(z).Equals(x.Merge(y.Merge(z))) &&
            x.Merge(x).Equals(x)));

    [Fact]
    public void Compare_AgreesWithMerge() =>
        ReplicationGen.Check(Prop.ForAll(Arb.From(ReplicationGen.Vector), Arb.From(ReplicationGen.Vector), (x, y) =>
        {
            var merged = x.Merge(y);
            var expected = x.Equals(y) ? CausalOrder.Equal
                : merged.Equals(y) ? CausalOrder.Before
                : merged.Equals(x) ? CausalOrder.After
                : CausalOrder.Concurrent;
            return x.Compare(y) == expected && y.Compare(merged) is CausalOrder.Before or CausalOrder.Equal;
        }));
}
