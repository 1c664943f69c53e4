using System.Text;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Actors.Tests.Sessions;

/// <summary>Removed attributes leave tombstones, which nothing collects yet: max-removed-attributes is what keeps a
/// client that sets and removes ever new names from growing a session without bound.</summary>
public sealed class SessionTombstoneBoundTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly SessionId Id = new(new UInt128(0x70b, 0x5));
    private static readonly SessionSettings Limits = SessionClusterSettings.Default.Sessions with
    {
        MaxAttributes = 5,
        MaxRemovedAttributes = 10,
    };

    private static readonly SessionHost Host = new(Limits, "node-a", new ReplicaId("10.0.0.1:4000#1"));

    private SessionCrdt _state = SessionCommands.NewSession(Id, Start, Limits);
    private DateTimeOffset _now = Start;

    [Fact]
    public void SetThenRemove_OfEverNewNames_StopsAtTheLimitWithAClearRefusal()
    {
        var refusedAt = -1;
        for (var i = 0; i < 1_000 && refusedAt < 0; i++)
        {
            var set = Run(new SetAttribute(Id, "n" + i, Json("1")));
            if (set.Reply is SessionRejected rejected)
            {
                Assert.Equal(SessionRejection.TooManyAttributes, rejected.Reason);
                Assert.Contains("10 removed attributes", rejected.Message);
                refusedAt = i;
                break;
            }

            Assert.IsType<SessionSnapshot>(Run(new RemoveAttribute(Id, "n" + i)).Reply);
        }

        Assert.Equal(10, refusedAt);
        Assert.Equal(10, _state.RemovedAttributeCount);
        Assert.Equal(10, _state.Attributes.Entries.Length);
    }

    [Fact]
    public void AtTheLimit_RemovedAndHeldNamesCanStillBeWrittenAndRemoved()
    {
        for (var i = 0; i < 10; i++)
        {
            Run(new SetAttribute(Id, "n" + i, Json("1")));
            Run(new RemoveAttribute(Id, "n" + i));
        }

        Assert.IsType<SessionSnapshot>(Run(new SetAttribute(Id, "n3", Json("2"))).Reply);            // reuses a tombstone
        Assert.IsType<AttributeValue>(Run(new IncrementAttribute(Id, "n4", 1, IncrementAttribute.NewOperationId())).Reply);
        Assert.IsType<SessionSnapshot>(Run(new RemoveAttribute(Id, "n3")).Reply);
        Assert.IsType<SessionSnapshot>(Run(new RemoveAttribute(Id, "n4")).Reply);
        Assert.Equal(10, _state.RemovedAttributeCount);
        Assert.IsType<SessionRejected>(Run(new IncrementAttribute(Id, "fresh", 1, IncrementAttribute.NewOperationId())).Reply);
        Assert.IsType<SessionRejected>(Run(new ApplyAttributeChanges(Id, [new AttributeChange("n5", Json("1")), new AttributeChange("fresh", Json("1"))])).Reply);
        Assert.IsType<SessionSnapshot>(Run(new ApplyAttributeChanges(Id, [new AttributeChange("n5", Json("1")), new AttributeChange("n4", null)])).Reply);
        Assert.Null(_state.Get("fresh"));
    }

    [Fact]
    public void AnyMixOfWrites_KeepsTombstonesWithinTheLimitPlusMaxAttributes()
    {
        // Seeded, so a failure names its sequence: a hostile client's random sets, removes, increments and batches.
        var random = new Random(8);
        for (var i = 0; i < 20_000; i++)
        {
            var name = "k" + random.Next(100);
            SessionCommand command = random.Next(4) switch
            {
                0 => new SetAttribute(Id, name, Json("1")),
                1 => new RemoveAttribute(Id, name),
                2 => new IncrementAttribute(Id, name, 1, IncrementAttribute.NewOperationId()),
                _ => new ApplyAttributeChanges(Id, [new AttributeChange(name, Json("2")), new AttributeChange("k" + random.Next(100), null)]),
            };
            Run(command);

            Assert.True(_state.AttributeCount <= Limits.MaxAttributes, $"step {i}: {_state.AttributeCount} attributes");
            Assert.True(_state.RemovedAttributeCount <= Limits.MaxRemovedAttributes + Limits.MaxAttributes, $"step {i}: {_state.RemovedAttributeCount} tombstones");
            Assert.Null(SessionCommands.LimitViolation(_state, Limits));
        }
    }

    [Fact]
    public void LimitViolation_OfAStateFromAPeerWithMoreTombstonesThanWritesCanMake_NamesIt()
    {
        var forged = SessionCommands.NewSession(Id, Start, Limits);
        for (var i = 0; i < 16; i++)
        {
            var stamp = new HlcTimestamp(Start.UtcTicks, i + 1, new ReplicaId("10.0.0.9:4000#9"));
            forged = forged.Remove("t" + i, stamp).State;   // a tombstone for a name never set: no home writes that
        }

        Assert.Equal("16 removed attributes, over the limit of 15", SessionCommands.LimitViolation(forged, Limits));
        Assert.Null(SessionCommands.LimitViolation(forged, Limits with { MaxRemovedAttributes = 0 }));
    }

    private SessionUpdate Run(SessionCommand command)
    {
        _now = _now.AddMilliseconds(1);
        var update = SessionCommands.Apply(_state, command, Host, _now);
        _state = update.State;
        return update;
    }

    private static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);
}
