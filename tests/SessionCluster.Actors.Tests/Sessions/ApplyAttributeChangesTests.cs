using System.Text;
using Google.Protobuf;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;
using Wire = SessionCluster.Actors.Sessions.Wire;

namespace SessionCluster.Actors.Tests.Sessions;

/// <summary>The batch command an ISession commit sends: all or none, one delta, idempotent, concurrent batches on
/// different names both kept, limits over the whole batch, and its wire form (with CreateSession's idle timeout).</summary>
public sealed class ApplyAttributeChangesTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly SessionId Id = new(new UInt128(0xba7c, 0x4));

    private static readonly SessionSettings Limits = SessionClusterSettings.Default.Sessions with
    {
        MaxValueBytes = 10,
        MaxAttributes = 3,
        MaxSessionBytes = 40,
        MaxNameLength = 5,
    };

    private static readonly SessionHost Host = new(Limits, "node-a", new ReplicaId("10.0.0.1:4000#11"));

    private SessionCrdt _state = SessionCommands.NewSession(Id, Start, Limits);
    private DateTimeOffset _now = Start;

    [Fact]
    public void Batch_SetsAndRemoves_AllAtOnce_AndTheDeltaAloneMakesABackupCurrent()
    {
        Run(Batch(("gone", "1"), ("kept", "2")));
        var backup = _state;

        var update = Run(Batch(("gone", null), ("new", "\"x\""), ("kept", "3")));

        var snapshot = Assert.IsType<SessionSnapshot>(update.Reply);
        Assert.Equal(["kept", "new"], snapshot.Attributes.Select(pair => pair.Key));
        Assert.Equal("3", Text(_state.Get("kept")));
        Assert.Null(_state.Get("gone"));
        Assert.Equal(_state, backup.Apply(update.Delta!));
    }

    [Fact]
    public void Batch_AppliedTwice_HasTheEffectOfOnce()
    {
        var batch = Batch(("a", "1"), ("b", null));
        Run(Batch(("b", "9")));
        Run(batch);
        var once = _state.VisibleAttributes();

        _now = _now.AddSeconds(1);
        Run(batch);

        Assert.Equal(once.Select(pair => (pair.Key, Text(pair.Value))), _state.VisibleAttributes().Select(pair => (pair.Key, Text(pair.Value))));
    }

    [Fact]
    public void Batch_RemovingAnAbsentName_LeavesNoTombstone()
    {
        var update = Run(Batch(("never", null)));

        Assert.IsType<SessionSnapshot>(update.Reply);
        Assert.Null(_state.Attributes.Find("never"));
    }

    [Fact]
    public void ConcurrentBatchesOnDifferentNames_MergedOnAnyReplica_KeepBoth()
    {
        Run(Batch(("base", "0")));
        var origin = _state;

        var first = SessionCommands.Apply(origin, Batch(("a", "1")), Host, _now.AddSeconds(1));
        var second = SessionCommands.Apply(first.State, Batch(("b", "2")), Host, _now.AddSeconds(2));
        var backup = origin.Apply(second.Delta!).Apply(first.Delta!);

        Assert.Equal(["a", "b", "base"], backup.VisibleAttributes().Select(pair => pair.Key));
        Assert.Equal(second.State, backup);
    }

    [Theory]
    [InlineData("big", "\"123456789\"", null, null, SessionRejection.ValueTooLarge, "The value of 'big' is 11 bytes; the limit is 10.")]
    [InlineData("a", "1", "a", "2", SessionRejection.InvalidName, "The attribute 'a' appears twice in one batch.")]
    [InlineData("toolongname", "1", null, null, SessionRejection.InvalidName, "An attribute name must be 1 to 5 characters; got 11.")]
    [InlineData("c", "1", "d", "1", SessionRejection.TooManyAttributes, "The session would hold 4 attributes; the limit is 3.")]
    public void Batch_BreakingARule_IsRefusedWhole_NothingChanges(string name1, string value1, string? name2, string? value2, SessionRejection reason, string message)
    {
        Run(Batch(("a", "1"), ("b", "1")));
        var before = _state.VisibleAttributes().Select(pair => pair.Key).ToArray();
        (string, string?)[] changes = name2 is null ? [(name1, value1)] : [(name1, value1), (name2, value2)];

        var update = Run(Batch(changes));

        var rejected = Assert.IsType<SessionRejected>(update.Reply);
        Assert.Equal(reason, rejected.Reason);
        Assert.Equal(message, rejected.Message);
        Assert.Null(update.Delta);
        Assert.Equal(before, _state.VisibleAttributes().Select(pair => pair.Key));
    }

    [Fact]
    public void Batch_OverTheSessionSize_IsRefused_ButABatchThatShrinksIsNot()
    {
        Run(Batch(("aaaaa", "\"1234567\""), ("bbbbb", "\"1234567\"")));

        // 2 × (5 + 9) = 28 bytes; a third attribute of 5 + 10 makes 43, over 40.
        var grow = Run(Batch(("ccccc", "\"12345678\"")));
        Assert.Equal(SessionRejection.SessionTooLarge, Assert.IsType<SessionRejected>(grow.Reply).Reason);
        Assert.Equal("The session would hold 43 bytes; the limit is 40.", ((SessionRejected)grow.Reply).Message);

        Assert.IsType<SessionSnapshot>(Run(Batch(("aaaaa", null), ("ccccc", "\"12345678\""))).Reply);
        Assert.Equal(29, _state.SizeInBytes);
    }

    [Fact]
    public void Batch_OnAnEndedSession_IsNotFound()
    {
        Run(new InvalidateSession(Id));

        Assert.IsType<SessionNotFound>(Run(Batch(("a", "1"))).Reply);
    }

    [Fact]
    public void CreateSession_WithItsOwnInterval_ExpiresByIt()
    {
        var state = SessionCommands.NewSession(Id, Start, Limits, TimeSpan.FromMinutes(2));

        Assert.Equal(TimeSpan.FromMinutes(2), state.MaxInactiveInterval);
        Assert.False(state.IsExpired(Start.AddMinutes(1)));
        Assert.True(state.IsExpired(Start.AddMinutes(2)));
    }

    [Fact]
    public void Wire_BatchAndCreateWithInterval_RoundTripExactly()
    {
        var batch = Batch(("ünï ☃", "{\"a\":1}"), ("gone", null));
        var decoded = Assert.IsType<ApplyAttributeChanges>(RoundTrip(batch));
        Assert.Equal(batch.Changes.Select(c => (c.Name, c.JsonValue is null ? null : Text(c.JsonValue))), decoded.Changes.Select(c => (c.Name, c.JsonValue is null ? null : Text(c.JsonValue))));

        Assert.Equal(new CreateSession(Id, TimeSpan.FromMinutes(20)), RoundTrip(new CreateSession(Id, TimeSpan.FromMinutes(20))));
        Assert.Equal(new CreateSession(Id, TimeSpan.Zero), RoundTrip(new CreateSession(Id, TimeSpan.Zero)));
        Assert.Equal(new CreateSession(Id), RoundTrip(new CreateSession(Id)));
    }

    [Fact]
    public void Wire_MalformedBatch_NamesTheField()
    {
        var emptyName = SessionWireFormat.ToWire(Batch(("a", "1")));
        emptyName.ApplyAttributeChanges.Changes[0].Name = string.Empty;
        var emptyValue = SessionWireFormat.ToWire(Batch(("a", "1")));
        emptyValue.ApplyAttributeChanges.Changes[0].JsonValue = ByteString.Empty;
        var negative = SessionWireFormat.ToWire(new CreateSession(Id));
        negative.CreateSession.MaxInactiveIntervalTicks = -1;

        Assert.Contains("SessionCommand.apply_attribute_changes.changes[0].name is missing", Assert.Throws<InvalidDataException>(() => SessionWireFormat.FromWire(emptyName)).Message, StringComparison.Ordinal);
        Assert.Contains("SessionCommand.apply_attribute_changes.changes[0].json_value is empty", Assert.Throws<InvalidDataException>(() => SessionWireFormat.FromWire(emptyValue)).Message, StringComparison.Ordinal);
        Assert.Contains("create_session.max_inactive_interval_ticks is -1", Assert.Throws<InvalidDataException>(() => SessionWireFormat.FromWire(negative)).Message, StringComparison.Ordinal);
    }

    private static ApplyAttributeChanges Batch(params (string Name, string? Json)[] changes) =>
        new(Id, [.. changes.Select(change => new AttributeChange(change.Name, change.Json is null ? null : Encoding.UTF8.GetBytes(change.Json)))]);

    private static SessionCommand RoundTrip(SessionCommand command)
    {
        var bytes = SessionWireFormat.ToWire(command).ToByteArray();
        var decoded = SessionWireFormat.FromWire(Wire.SessionCommand.Parser.ParseFrom(bytes));
        Assert.Equal(bytes, SessionWireFormat.ToWire(decoded).ToByteArray());
        return decoded;
    }

    private static string Text(byte[]? utf8) => utf8 is null ? "(none)" : Encoding.UTF8.GetString(utf8);

    private SessionUpdate Run(SessionCommand command)
    {
        var update = SessionCommands.Apply(_state, command, Host, _now);
        _state = update.State;
        return update;
    }
}
