using System.Collections.Immutable;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;

namespace SessionCluster.Actors.Tests.Replication;

/// <summary>The home's per-session replication machine: sends, re-sends as joins, ordered replies, consistency, deadlines.</summary>
public sealed class DeltaReplicatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly NodeAddress B = new("b", 1);
    private static readonly NodeAddress C = new("c", 1);
    private static readonly ReplicaId Home = new("a:1#1");
    private static readonly TimeSpan Resend = TimeSpan.FromMilliseconds(300);
    private static readonly SessionCrdt Session = SessionCrdt.Create(42, T0, TimeSpan.FromMinutes(30));

    [Fact]
    public void Without_backups_a_reply_leaves_at_once_and_nothing_is_sent()
    {
        var output = new Output();
        var replicator = new DeltaReplicator<string>(new ReplicaTargets(1, [], 0));

        replicator.Write(1, Delta("x", 1), T0, output);
        replicator.Reply("r1", T0.AddSeconds(3), output);

        Assert.Empty(output.Sent);
        Assert.Equal(["r1"], output.Released);
        Assert.True(replicator.IsIdle);
    }

    [Fact]
    public void A_reply_waits_for_its_backup_then_leaves_and_the_delta_is_forgotten()
    {
        var output = new Output();
        var replicator = new DeltaReplicator<string>(new ReplicaTargets(4, [B], 1));
        var delta = Delta("x", 1);

        replicator.Write(10, delta, T0, output);
        replicator.Reply("r1", T0.AddSeconds(3), output);

        Assert.Equal([(B, 4L, 10L, 10L, delta)], output.Sent);
        Assert.Empty(output.Released);

        replicator.Acknowledged(B, 4, 10, 10, output);

        Assert.Equal(["r1"], output.Released);
        Assert.True(replicator.IsIdle);
    }

    [Fact]
    public void Replies_leave_in_order_a_read_waits_for_the_write_before_it()
    {
        var output = new Output();
        var replicator = new DeltaReplicator<string>(new ReplicaTargets(4, [B], 1));

        replicator.Write(1, Delta("x", 1), T0, output);
        replicator.Reply("write 1", T0.AddSeconds(3), output);
        replicator.Reply("read", T0.AddSeconds(3), output);
        replicator.Write(2, Delta("y", 2), T0, output);
        replicator.Reply("write 2", T0.AddSeconds(3), output);

        replicator.Acknowledged(B, 4, 2, 2, output);
        Assert.Empty(output.Released);

        replicator.Acknowledged(B, 4, 1, 1, output);
        Assert.Equal(["write 1", "read", "write 2"], output.Released);
    }

    [Fact]
    public void Local_consistency_answers_at_once_but_keeps_sending_until_the_backup_has_it()
    {
        var output = new Output();
        var replicator = new DeltaReplicator<string>(new ReplicaTargets(4, [B], 0));

        replicator.Write(1, Delta("x", 1), T0, output);
        replicator.Reply("r", T0.AddSeconds(3), output);
        Assert.Equal(["r"], output.Released);
        Assert.Equal(1, replicator.PendingDeltas);

        replicator.Tick(T0 + Resend, Resend, output);
        Assert.Equal(2, output.Sent.Count);

        replicator.Acknowledged(B, 4, 1, 1, output);
        Assert.True(replicator.IsIdle);
    }

    [Fact]
    public void Unacknowledged_deltas_go_again_as_one_join_whose_ack_covers_them_all()
    {
        var output = new Output();
        var replicator = new DeltaReplicator<string>(new ReplicaTargets(4, [B], 1));
        var first = Delta("x", 1);
        var second = Delta("y", 2);
        replicator.Write(1, first, T0, output);
        replicator.Write(3, second, T0, output);
        replicator.Reply("r", T0.AddSeconds(3), output);
        output.Sent.Clear();

        replicator.Tick(T0 + Resend - TimeSpan.FromTicks(1), Resend, output);
        Assert.Empty(output.Sent);
        replicator.Tick(T0 + Resend, Resend, output);

        var (to, epoch, from, through, join) = Assert.Single(output.Sent);
        Assert.Equal((B, 4L, 1L, 3L), (to, epoch, from, through));
        Assert.Equal(SessionCrdt.Merge(first, second), join);

        replicator.Acknowledged(B, 4, 1, 3, output);
        Assert.Equal(["r"], output.Released);
        Assert.True(replicator.IsIdle);
    }

    [Fact]
    public void A_reply_past_its_deadline_fails_and_the_writes_behind_it_still_replicate()
    {
        var output = new Output();
        var replicator = new DeltaReplicator<string>(new ReplicaTargets(4, [B], 1));
        replicator.Write(1, Delta("x", 1), T0, output);
        replicator.Reply("slow", T0.AddSeconds(1), output);

        replicator.Tick(T0.AddSeconds(1), Resend, output);

        Assert.Equal(["slow"], output.Failed);
        Assert.Equal(1, replicator.PendingDeltas);
        replicator.Write(2, Delta("y", 2), T0.AddSeconds(1), output);
        replicator.Reply("next", T0.AddSeconds(4), output);
        replicator.Acknowledged(B, 4, 1, 2, output);
        Assert.Equal(["next"], output.Released);
    }

    [Fact]
    public void Acks_count_only_from_current_backups_under_the_current_epoch()
    {
        var output = new Output();
        var replicator = new DeltaReplicator<string>(new ReplicaTargets(4, [B], 1));
        replicator.Write(1, Delta("x", 1), T0, output);
        replicator.Reply("r", T0.AddSeconds(3), output);

        replicator.Acknowledged(B, 3, 1, 1, output);
        replicator.Acknowledged(C, 4, 1, 1, output);
        Assert.Empty(output.Released);

        // B dies; C replaces it under epoch 5: the pending delta goes to C at once, and only C's ack counts.
        output.Sent.Clear();
        replicator.Retarget(new ReplicaTargets(5, [C], 1), T0.AddSeconds(1), output);
        Assert.Equal([C], output.Sent.Select(sent => sent.To));
        replicator.Acknowledged(B, 5, 1, 1, output);
        Assert.Empty(output.Released);
        replicator.Acknowledged(C, 5, 1, 1, output);
        Assert.Equal(["r"], output.Released);
    }

    [Fact]
    public void A_reply_does_not_wait_for_a_delta_written_as_not_durable_which_still_replicates()
    {
        var output = new Output();
        var replicator = new DeltaReplicator<string>(new ReplicaTargets(4, [B], 1));

        replicator.Write(1, Delta("touch", 1), T0, output, durable: false);
        replicator.Reply("read", T0.AddSeconds(3), output);

        Assert.Equal(["read"], output.Released);
        Assert.Equal(1, replicator.PendingDeltas);
        replicator.Tick(T0 + Resend, Resend, output);
        Assert.Equal(2, output.Sent.Count);
    }

    [Theory]
    [InlineData(WriteConsistency.One, 1)]
    [InlineData(WriteConsistency.Majority, 1)]
    [InlineData(WriteConsistency.All, 2)]
    public void With_two_backups_the_consistency_decides_how_many_acks_a_reply_needs(WriteConsistency consistency, int needed)
    {
        var output = new Output();
        var replicator = new DeltaReplicator<string>(new ReplicaTargets(4, [B, C], WriteConsistencyRules.RequiredAcks(consistency, 2)));
        replicator.Write(1, Delta("x", 1), T0, output);
        replicator.Reply("r", T0.AddSeconds(3), output);

        replicator.Acknowledged(C, 4, 1, 1, output);
        Assert.Equal(needed == 1 ? ["r"] : [], output.Released);

        replicator.Acknowledged(B, 4, 1, 1, output);
        Assert.Equal(["r"], output.Released);
        Assert.True(replicator.IsIdle);
    }

    [Theory]
    [InlineData(WriteConsistency.Local, 0, 0, 0, 0)]
    [InlineData(WriteConsistency.One, 0, 1, 1, 1)]
    [InlineData(WriteConsistency.Majority, 0, 1, 1, 2)]
    [InlineData(WriteConsistency.All, 0, 1, 2, 3)]
    public void Required_acks_per_backup_count(WriteConsistency consistency, int none, int one, int two, int three)
    {
        Assert.Equal(
            [none, one, two, three],
            new[] { 0, 1, 2, 3 }.Select(backups => WriteConsistencyRules.RequiredAcks(consistency, backups)));
    }

    private static SessionCrdt Delta(string name, int value) =>
        Session.Set(name, [(byte)('0' + value)], new HlcTimestamp(T0.UtcTicks, value, Home)).Delta;

    private sealed class Output : IReplicationOutput<string>
    {
        public List<(NodeAddress To, long Epoch, long From, long Through, SessionCrdt Delta)> Sent { get; } = [];

        public List<string> Released { get; } = [];

        public List<string> Failed { get; } = [];

        public void Send(NodeAddress backup, long epoch, long fromSeq, long toSeq, SessionCrdt delta) => Sent.Add((backup, epoch, fromSeq, toSeq, delta));

        public void Release(string reply) => Released.Add(reply);

        public void Fail(string reply) => Failed.Add(reply);
    }
}
