using System.Text;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Actors.Tests.Sessions;

/// <summary>The two commands a rotation of a session's id is made of: a session created from another's attributes
/// (exactly them, limits checked first, idempotent), and the old one ended only if nothing was written to it since.</summary>
public sealed class SessionRotationCommandsTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly SessionId Old = new(new UInt128(1, 1));
    private static readonly SessionId New = new(new UInt128(2, 2));
    private static readonly SessionSettings Limits = SessionClusterSettings.Default.Sessions with
    {
        MaxValueBytes = 10,
        MaxAttributes = 2,
        MaxSessionBytes = 20,
        MaxNameLength = 5,
    };

    private static readonly SessionHost Host = new(Limits, "node-a", new ReplicaId("10.0.0.1:4000#1"));

    [Fact]
    public void CreateSessionFrom_HoldsExactlyTheAttributes_AndAgainChangesNothing()
    {
        var state = SessionCommands.NewSession(New, Start, Limits);
        state = SessionCommands.Apply(state, new SetAttribute(New, "stale", Json("0")), Host, Start).State;
        var attributes = Attributes(("a", "1"), ("b", "\"x\""));

        var first = SessionCommands.Apply(state, new CreateSessionFrom(New, attributes), Host, Start.AddSeconds(1));
        var again = SessionCommands.Apply(first.State, new CreateSessionFrom(New, attributes), Host, Start.AddSeconds(2));

        var snapshot = Assert.IsType<SessionSnapshot>(first.Reply);
        Assert.Equal(["a=1", "b=\"x\""], Show(snapshot.Attributes));
        Assert.Same(first.State, first.Delta);   // the whole state goes to the backups: the session is new there
        Assert.Equal(Show(first.State.VisibleAttributes()), Show(again.State.VisibleAttributes()));
        Assert.Equal(first.State.NewestTimestamp, again.State.NewestTimestamp);   // nothing rewritten
    }

    [Theory]
    [InlineData("too-many")]
    [InlineData("value-too-large")]
    [InlineData("session-too-large")]
    [InlineData("bad-name")]
    [InlineData("name-twice")]
    public void CreateSessionFrom_OverALimit_IsRejectedAndChangesNothing(string breaks)
    {
        var state = SessionCommands.NewSession(New, Start, Limits);
        var attributes = breaks switch
        {
            "too-many" => Attributes(("a", "1"), ("b", "2"), ("c", "3")),
            "value-too-large" => Attributes(("a", "\"123456789\"")),
            "session-too-large" => Attributes(("abcde", "1234567890"), ("b", "\"1234567\"")),   // 15 + 10 bytes
            "bad-name" => Attributes(("toolong", "1")),
            _ => Attributes(("a", "1"), ("a", "2")),
        };

        var update = SessionCommands.Apply(state, new CreateSessionFrom(New, attributes), Host, Start);

        Assert.IsType<SessionRejected>(update.Reply);
        Assert.Null(update.Delta);
        Assert.Empty(update.State.VisibleAttributes());
    }

    [Fact]
    public void EndRotatedSession_Unchanged_EndsTheSession()
    {
        var state = Session(("a", "1"));

        var update = SessionCommands.Apply(state, new EndRotatedSession(Old, Attributes(("a", "1"))), Host, Start.AddSeconds(1));

        Assert.Equal(new SessionInvalidated(Old), update.Reply);
        Assert.True(update.State.IsEnded);
        Assert.True(update.Delta!.IsEnded, "the end tombstone is replicated");
        Assert.IsType<SessionNotFound>(SessionCommands.Apply(update.State, new GetSession(Old), Host, Start.AddSeconds(2)).Reply);
    }

    [Theory]
    [InlineData("a", "2")]   // a value changed
    [InlineData("b", "1")]   // an attribute added
    public void EndRotatedSession_WrittenSinceTheCopy_AnswersTheSnapshotAndDoesNotEnd(string name, string value)
    {
        var state = Session(("a", "1"));
        state = SessionCommands.Apply(state, new SetAttribute(Old, name, Json(value)), Host, Start.AddSeconds(1)).State;

        var update = SessionCommands.Apply(state, new EndRotatedSession(Old, Attributes(("a", "1"))), Host, Start.AddSeconds(2));

        var snapshot = Assert.IsType<SessionSnapshot>(update.Reply);
        Assert.Contains($"{name}={value}", Show(snapshot.Attributes));
        Assert.False(update.State.IsEnded);
        Assert.Null(update.Delta);
    }

    private static SessionCrdt Session(params (string Name, string Json)[] attributes)
    {
        var state = SessionCommands.NewSession(Old, Start, Limits);
        foreach (var (name, json) in attributes)
        {
            state = SessionCommands.Apply(state, new SetAttribute(Old, name, Json(json)), Host, Start).State;
        }

        return state;
    }

    private static List<KeyValuePair<string, byte[]>> Attributes(params (string Name, string Json)[] attributes) =>
        [.. attributes.Select(a => new KeyValuePair<string, byte[]>(a.Name, Json(a.Json)))];

    private static string[] Show(IEnumerable<KeyValuePair<string, byte[]>> attributes) =>
        [.. attributes.Select(a => $"{a.Key}={Encoding.UTF8.GetString(a.Value)}")];

    private static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);
}
