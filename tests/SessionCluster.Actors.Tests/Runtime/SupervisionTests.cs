using SessionCluster.Actors.Runtime;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Runtime;

public sealed class SupervisionTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _clock = new();
    private readonly ActorSystem _system;
    private readonly TestProbe _lifecycle = new("lifecycle");

    public SupervisionTests() => _system = new ActorSystem("test", _clock);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _system.TerminateAsync();

    [Fact]
    public async Task Failure_UnderDefaultStrategy_RestartsWithFreshStateAndKeepsMailbox()
    {
        var parent = StartParent(SupervisorStrategy.Default);
        Assert.Equal("started", await _lifecycle.ExpectMsg<string>());
        parent.Tell("inc");
        parent.Tell("inc");
        Assert.Equal(2, await parent.Ask<int>("get", TimeSpan.FromSeconds(5)));

        parent.Tell("boom");
        parent.Tell("inc");

        Assert.Equal("stopped", await _lifecycle.ExpectMsg<string>());
        Assert.Equal("restarted:boom", await _lifecycle.ExpectMsg<string>());
        Assert.Equal("started", await _lifecycle.ExpectMsg<string>());
        Assert.Equal(1, await parent.Ask<int>("get", TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Failure_UnderResume_KeepsState()
    {
        var parent = StartParent(new SupervisorStrategy(_ => SupervisorDirective.Resume, 10, TimeSpan.FromMinutes(1)));
        Assert.Equal("started", await _lifecycle.ExpectMsg<string>());
        parent.Tell("inc");
        parent.Tell("boom");
        parent.Tell("inc");

        Assert.Equal(2, await parent.Ask<int>("get", TimeSpan.FromSeconds(5)));
        Assert.False(_lifecycle.HasMessages);
    }

    [Fact]
    public async Task Failure_UnderStoppingStrategy_StopsChildAndNotifiesWatchers()
    {
        var parent = StartParent(SupervisorStrategy.StoppingStrategy);
        Assert.Equal("started", await _lifecycle.ExpectMsg<string>());
        var child = await parent.Ask<ActorRef>("child", TimeSpan.FromSeconds(5));
        var report = new TestProbe("report");
        var watcher = _system.ActorOf(Props.Create(() => new WatcherActor(report)), "watcher");
        Assert.Equal("watching", await watcher.Ask<string>(child, TimeSpan.FromSeconds(5)));

        parent.Tell("boom");

        Assert.Equal("stopped", await _lifecycle.ExpectMsg<string>());
        Assert.Same(child, (await report.ExpectMsg<Terminated>()).Actor);
        await Eventually.True(async () => await parent.Ask<object>("child", TimeSpan.FromSeconds(5)) is "none", "the stopped child is gone from its parent");
    }

    [Fact]
    public async Task Failure_BeyondRestartBudget_StopsChild()
    {
        var parent = StartParent(new SupervisorStrategy(SupervisorStrategy.DefaultDecider, 2, TimeSpan.FromMinutes(1)));
        Assert.Equal("started", await _lifecycle.ExpectMsg<string>());

        for (var i = 0; i < 3; i++)
        {
            parent.Tell("boom");
        }

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal("stopped", await _lifecycle.ExpectMsg<string>());
            Assert.Equal("restarted:boom", await _lifecycle.ExpectMsg<string>());
            Assert.Equal("started", await _lifecycle.ExpectMsg<string>());
        }

        Assert.Equal("stopped", await _lifecycle.ExpectMsg<string>());
        await Eventually.True(async () => await parent.Ask<object>("child", TimeSpan.FromSeconds(5)) is "none", "the child is stopped after its third failure");
    }

    [Fact]
    public async Task Failure_RestartBudget_RefillsAfterWindow()
    {
        var parent = StartParent(new SupervisorStrategy(SupervisorStrategy.DefaultDecider, 1, TimeSpan.FromMinutes(1)));
        Assert.Equal("started", await _lifecycle.ExpectMsg<string>());
        parent.Tell("boom");
        Assert.Equal("stopped", await _lifecycle.ExpectMsg<string>());
        Assert.Equal("restarted:boom", await _lifecycle.ExpectMsg<string>());
        Assert.Equal("started", await _lifecycle.ExpectMsg<string>());

        _clock.Advance(TimeSpan.FromMinutes(2));
        parent.Tell("boom");

        Assert.Equal("stopped", await _lifecycle.ExpectMsg<string>());
        Assert.Equal("restarted:boom", await _lifecycle.ExpectMsg<string>());
    }

    [Fact]
    public async Task Failure_InPreStart_StopsActor()
    {
        var report = new TestProbe("report");
        var watcher = _system.ActorOf(Props.Create(() => new WatcherActor(report)), "watcher");
        var failing = _system.ActorOf(Props.Create(() => new FailingStartActor()), "failing");
        await watcher.Ask<string>(failing, TimeSpan.FromSeconds(5));

        Assert.Same(failing, (await report.ExpectMsg<Terminated>()).Actor);
    }

    [Fact]
    public async Task Failure_Escalated_StopsChildAndFailsParent()
    {
        var parent = StartParent(new SupervisorStrategy(_ => SupervisorDirective.Escalate, 10, TimeSpan.FromMinutes(1)));
        Assert.Equal("started", await _lifecycle.ExpectMsg<string>());

        parent.Tell("boom");

        // The parent fails in turn: the guardian restarts it, which starts a new child.
        Assert.Equal("stopped", await _lifecycle.ExpectMsg<string>());
        Assert.Equal("parent-stopped", await _lifecycle.ExpectMsg<string>());
        Assert.Equal("started", await _lifecycle.ExpectMsg<string>());
    }

    private ActorRef StartParent(SupervisorStrategy strategy) =>
        _system.ActorOf(Props.Create(() => new ParentActor(strategy, Props.Create(() => new CounterActor(_lifecycle)), _lifecycle)), "parent");

    private sealed class FailingStartActor : Actor
    {
        protected internal override void PreStart() => throw new InvalidOperationException("cannot start");

        protected internal override void Receive(object message)
        {
        }
    }
}
