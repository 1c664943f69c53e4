using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>What a home sends and pulls for a backup's digest.</summary>
public sealed class AntiEntropyPlanTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ReplicaId Writer = new("a:1#1");

    [Fact]
    public void Equal_sessions_are_left_alone_differing_ones_go_both_ways_and_ones_the_backup_lacks_are_sent()
    {
        var same = Session(1);
        var differs = Session(2);
        var lacking = Session(3);
        var backupOfDiffers = differs.Set("x", "1"u8.ToArray(), new HlcTimestamp(T0.UtcTicks, 1, Writer)).State;
        var digest = Digest(same, backupOfDiffers);

        var plan = AntiEntropyPlan.Of([same, differs, lacking], digest, askForMissing: false);

        Assert.Equal([differs, lacking], plan.Send);
        Assert.Equal<UInt128>([2], plan.Pull);
    }

    [Fact]
    public void Sessions_only_the_backup_holds_are_pulled_only_when_asked_for()
    {
        var served = Session(1);
        var onlyAtBackup = Session(9);
        var digest = Digest(served, onlyAtBackup);

        Assert.Empty(AntiEntropyPlan.Of([served], digest, askForMissing: false).Pull);
        var plan = AntiEntropyPlan.Of([served], digest, askForMissing: true);
        Assert.Equal<UInt128>([9], plan.Pull);
        Assert.Empty(plan.Send);
    }

    [Fact]
    public void The_last_access_alone_does_not_make_a_session_differ()
    {
        var home = Session(1);
        var backup = home.Touch(T0 + TimeSpan.FromMinutes(1)).State;

        var plan = AntiEntropyPlan.Of([home], Digest(backup), askForMissing: true);

        Assert.Empty(plan.Send);
        Assert.Empty(plan.Pull);
    }

    private static SessionCrdt Session(UInt128 id) => SessionCrdt.Create(id, T0, TimeSpan.FromMinutes(30));

    private static ReplicaDigest Digest(params SessionCrdt[] held) =>
        new(0, 1, [.. held.Select(state => new SessionFingerprint(state.Id, SessionDigest.Of(state)))]);
}
