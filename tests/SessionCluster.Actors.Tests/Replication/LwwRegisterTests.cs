using FsCheck.Fluent;
using SessionCluster.Actors.Replication;

namespace SessionCluster.Actors.Tests.Replication;

public sealed class LwwRegisterTests
{
    [Fact]
    public void Merge_KeepsTheLaterTimestampWhateverTheValue()
    {
        var early = new LwwRegister<string>("zzz", new HlcTimestamp(10, 0, new ReplicaId("b")));
        var late = new LwwRegister<string>("aaa", new HlcTimestamp(10, 1, new ReplicaId("a")));

        Assert.Same(late, early.Merge(late));
        Assert.Same(late, late.Merge(early));
        Assert.Same(early, early.Set("x", new HlcTimestamp(9, 0, new ReplicaId("a"))).State);
    }

    [Fact]
    public void Merge_IsCommutativeAssociativeIdempotent() =>
        ReplicationGen.Check(Prop.ForAll(Arb.From(ReplicationGen.Register), Arb.From(ReplicationGen.Register), Arb.From(ReplicationGen.Register), (x, y, z) =>
            x.Merge(y) == y.Merge(x) &&
            x.Merge(y).Merge(z) == x.Merge(y.Merge(z)) &&
            x.Merge(x) == x &&
            x.Merge(y).Timestamp == HlcTimestamp.Max(x.Timestamp, y.Timestamp)));
}
