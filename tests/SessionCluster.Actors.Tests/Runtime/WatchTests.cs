using SessionCluster.Actors.Runtime;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Runtime;

public sealed class WatchTests : IAsyncLifetime
{
    private readonly ActorSystem _system = new("test");
    private readonly TestProbe _report = new("report");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _system.TerminateAsync();

    [Fact]
    public async Task Watch_ThenStop_DeliversTerminated()
    {
        var (watcher, target) = Start();
        await watcher.Ask<string>(target, TimeSpan.FromSeconds(5));

        _system.Stop(target);

        Assert.Same(target, (await _report.ExpectMsg<Terminated>()).Actor);
    }

    [Fact]
    public async Task Watch_AlreadyStopped_DeliversTerminatedAtOnce()
    {
        var (watcher, target) = Start();
        await StopAndConfirm(target);

        await watcher.Ask<string>(target, TimeSpan.FromSeconds(5));

        Assert.Same(target, (await _report.ExpectMsg<Terminated>()).Actor);
    }

    [Fact]
    public async Task Unwatch_BeforeStop_DeliversNothing()
    {
        var (watcher, target) = Start();
        var other = _system.ActorOf(Props.Create(() => new EchoActor()), "other-target");
        await watcher.Ask<string>(target, TimeSpan.FromSeconds(5));
        await watcher.Ask<string>(other, TimeSpan.FromSeconds(5));
        await watcher.Ask<string>(("unwatch", target), TimeSpan.FromSeconds(5));

        await StopAndConfirm(target);
        _system.Stop(other);

        // A notice about the unwatched target would reach the watcher before the one about the later-stopped other.
        Assert.Same(other, (await _report.ExpectMsg<Terminated>()).Actor);
        Assert.False(_report.HasMessages);
    }

    private (ActorRef Watcher, ActorRef Target) Start() =>
        (_system.ActorOf(Props.Create(() => new WatcherActor(_report)), "watcher"),
         _system.ActorOf(Props.Create(() => new EchoActor()), "target"));

    /// <summary>Stops an actor and waits, through a watcher of its own, until it has terminated.</summary>
    private async Task StopAndConfirm(ActorRef target)
    {
        var confirm = new TestProbe("confirm");
        var confirmWatcher = _system.ActorOf(Props.Create(() => new WatcherActor(confirm)), "confirm-" + Guid.NewGuid().ToString("N"));
        await confirmWatcher.Ask<string>(target, TimeSpan.FromSeconds(5));
        _system.Stop(target);
        Assert.Same(target, (await confirm.ExpectMsg<Terminated>()).Actor);
    }
}
