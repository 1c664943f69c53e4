using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Sharding;

public sealed class RemoteRequestsTests
{
    private static readonly NodeAddress Home = new("home", 1);

    [Fact]
    public async Task A_reply_completes_its_request_once()
    {
        var requests = new RemoteRequests(new ManualTimeProvider(), TimeSpan.FromSeconds(5));
        var request = requests.Register(new GetSession(SessionId.New()), 3, Home);

        Assert.True(request.Id < 0);
        Assert.True(requests.TryTake(request.Id, out var taken));
        taken.Tell("reply");
        Assert.False(requests.TryTake(request.Id, out _));
        Assert.Equal("reply", await request.Task);
    }

    [Fact]
    public async Task Requests_past_their_deadline_fail_with_503_as_possibly_applied()
    {
        var clock = new ManualTimeProvider();
        var requests = new RemoteRequests(clock, TimeSpan.FromSeconds(5));
        var late = requests.Register(new IncrementAttribute(SessionId.New(), "n", 1, IncrementAttribute.NewOperationId()), 3, Home);
        clock.Advance(TimeSpan.FromSeconds(4));
        var recent = requests.Register(new GetSession(SessionId.New()), 4, Home);

        clock.Advance(TimeSpan.FromSeconds(1));
        requests.FailExpiredOrDeparted(clock.GetUtcNow(), _ => true, TimeSpan.Zero, (_, _) => Assert.Fail("nothing is re-sent for a live home"));

        var unavailable = Assert.IsType<ShardUnavailable>(await late.Task);
        Assert.True(unavailable.MayHaveApplied);
        Assert.Equal(3, unavailable.Shard);
        Assert.False(recent.Task.IsCompleted);
        Assert.Equal(1, requests.Count);
    }

    [Fact]
    public void Requests_to_a_home_that_left_are_re_sent_to_the_next_home()
    {
        var clock = new ManualTimeProvider();
        var requests = new RemoteRequests(clock, TimeSpan.FromSeconds(5));
        var other = new NodeAddress("other", 1);
        var read = requests.Register(new GetSession(SessionId.New()), 1, Home);
        // Safe to send again too: the session answers a repeated operation id with the first answer.
        var increment = requests.Register(new IncrementAttribute(SessionId.New(), "n", 1, 42), 1, Home);
        var toOther = requests.Register(new GetSession(SessionId.New()), 2, other);
        var resent = new List<(RemoteRequest Request, bool Unanswered)>();

        requests.FailExpiredOrDeparted(clock.GetUtcNow(), request => !request.Home.Equals(Home), TimeSpan.FromSeconds(2), (request, unanswered) => resent.Add((request, unanswered)));

        Assert.Equal([(read, false), (increment, false)], resent.OrderBy(item => -item.Request.Id));
        Assert.False(read.Task.IsCompleted || increment.Task.IsCompleted || toOther.Task.IsCompleted);
        Assert.Equal(1, requests.Count);
    }

    [Fact]
    public void Requests_unanswered_for_the_resend_interval_are_handed_back_as_unanswered_and_the_rest_wait()
    {
        var clock = new ManualTimeProvider();
        var requests = new RemoteRequests(clock, TimeSpan.FromSeconds(5));
        var old = requests.Register(new IncrementAttribute(SessionId.New(), "n", 1, 7), 1, Home);
        clock.Advance(TimeSpan.FromSeconds(1.5));
        var set = requests.Register(new SetAttribute(SessionId.New(), "a", "1"u8.ToArray()), 1, Home);
        clock.Advance(TimeSpan.FromSeconds(1.5));
        var recent = requests.Register(new GetSession(SessionId.New()), 2, Home);
        clock.Advance(TimeSpan.FromSeconds(0.5));
        var resent = new List<(RemoteRequest Request, bool Unanswered)>();

        requests.FailExpiredOrDeparted(clock.GetUtcNow(), _ => true, TimeSpan.FromSeconds(2), (request, unanswered) => resent.Add((request, unanswered)));

        // The set waits: repeated after another request's write, it would undo it.
        Assert.Equal([(old, true)], resent);
        Assert.False(old.Task.IsCompleted || recent.Task.IsCompleted || set.Task.IsCompleted);
        Assert.Equal(2, requests.Count);
    }

    [Fact]
    public void Routes_publish_only_remote_homes_and_report_changes()
    {
        var routes = new ShardRoutes(4);

        Assert.False(routes.TryGetRemote(2, out _));
        Assert.True(routes.Publish(2, Home, 7));
        Assert.False(routes.Publish(2, Home, 7));
        Assert.True(routes.TryGetRemote(2, out var route));
        Assert.Equal(new ShardRoute(Home, 7), route);
        Assert.True(routes.Publish(2, null, 8));
        Assert.False(routes.TryGetRemote(2, out _));
    }
}
