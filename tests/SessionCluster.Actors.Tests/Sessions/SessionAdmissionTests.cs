using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Actors.Tests.Sessions;

public sealed class SessionAdmissionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ReplicaId Writer = new("127.0.0.1:1#1");
    private static readonly SessionSettings Limits = SessionClusterSettings.Default.Sessions with { MaxAttributes = 2, MaxValueBytes = 10 };

    [Fact]
    public void Filter_BatchWithinTheLimits_PassesThroughUnchanged()
    {
        SessionCrdt[] batch = [Session(1, 1, "1"), Session(2, 2, "2")];

        var admitted = SessionAdmission.Filter([.. batch], Limits);

        Assert.Equal(batch.Select(s => s.Id), admitted.Admitted.Select(s => s.Id));
        Assert.Equal(0, admitted.Rejected);
        Assert.Null(admitted.FirstReason);
    }

    [Fact]
    public void Filter_SessionsOverTheLimits_AreLeftOutOneByOneAndTheOthersKeepTheirOrder()
    {
        var first = Session(1, 1, "1");
        var tooMany = Session(2, 3, "1");
        var middle = Session(3, 1, "2");
        var tooLarge = Session(4, 1, "\"this is far too long\"");
        var last = Session(5, 2, "3");

        var admitted = SessionAdmission.Filter([first, tooMany, middle, tooLarge, last], Limits);

        Assert.Equal([first.Id, middle.Id, last.Id], admitted.Admitted.Select(s => s.Id));
        Assert.Equal(2, admitted.Rejected);
        Assert.Equal("3 attributes, over the limit of 2", admitted.FirstReason);
    }

    private static SessionCrdt Session(ulong id, int attributes, string json)
    {
        var state = SessionCrdt.Create(id, T0, TimeSpan.FromMinutes(30));
        for (var i = 0; i < attributes; i++)
        {
            state = state.Set("a" + i, System.Text.Encoding.UTF8.GetBytes(json), new HlcTimestamp(T0.UtcTicks, i + 1, Writer)).State;
        }

        return state;
    }
}
