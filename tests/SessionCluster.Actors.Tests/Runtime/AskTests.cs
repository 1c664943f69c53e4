using SessionCluster.Actors.Runtime;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Runtime;

public sealed class AskTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _clock = new();
    private readonly ActorSystem _system;

    public AskTests() => _system = new ActorSystem("test", _clock);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _system.TerminateAsync();

    [Fact]
    public async Task Ask_Reply_ReturnsIt()
    {
        var echo = _system.ActorOf(Props.Create(() => new EchoActor()), "echo");

        Assert.Equal("hello", await echo.Ask<string>("hello", TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Ask_NoReply_FailsAfterTimeoutWithClearMessage()
    {
        var silent = _system.ActorOf(Props.Create(() => new CounterActor(new TestProbe())), "silent");

        var ask = silent.Ask<int>("inc", TimeSpan.FromSeconds(3));
        _clock.Advance(TimeSpan.FromSeconds(2.9));
        Assert.False(ask.IsCompleted);
        _clock.Advance(TimeSpan.FromSeconds(0.2));

        var error = await Assert.ThrowsAsync<AskTimeoutException>(() => ask);
        Assert.Contains("/user/silent", error.Message);
        Assert.Contains("3000 ms", error.Message);
    }

    [Fact]
    public async Task Ask_StatusFailureReply_RethrowsCause()
    {
        var echo = _system.ActorOf(Props.Create(() => new EchoActor()), "echo");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => echo.Ask<string>(new StatusFailure(new InvalidOperationException("nope")), TimeSpan.FromSeconds(5)));
        Assert.Equal("nope", error.Message);
    }

    [Fact]
    public async Task Ask_WrongReplyType_ThrowsNamingBothTypes()
    {
        var echo = _system.ActorOf(Props.Create(() => new EchoActor()), "echo");

        var error = await Assert.ThrowsAsync<InvalidCastException>(() => echo.Ask<int>("text", TimeSpan.FromSeconds(5)));
        Assert.Contains("Int32", error.Message);
        Assert.Contains("String", error.Message);
    }

    [Fact]
    public async Task Ask_Cancelled_ThrowsOperationCanceled()
    {
        var silent = _system.ActorOf(Props.Create(() => new CounterActor(new TestProbe())), "silent");
        using var cancellation = new CancellationTokenSource();

        var ask = silent.Ask<int>("inc", TimeSpan.FromMinutes(1), cancellation.Token);
        cancellation.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ask);
    }

    [Fact]
    public async Task Ask_StoppedActor_FailsAtOnceWithoutWaitingForTimeout()
    {
        var echo = _system.ActorOf(Props.Create(() => new EchoActor()), "echo");
        var watcher = new TestProbe();
        var confirm = _system.ActorOf(Props.Create(() => new WatcherActor(watcher)), "watcher");
        await confirm.Ask<string>(echo, TimeSpan.FromSeconds(5));
        _system.Stop(echo);
        await watcher.ExpectMsg<Terminated>();

        var error = await Assert.ThrowsAsync<ActorTerminatedException>(() => echo.Ask<string>("hello", TimeSpan.FromMinutes(5)));

        Assert.Contains("/user/echo", error.Message);
    }

    [Fact]
    public async Task Ask_Answered_CancelsItsTimer()
    {
        var echo = _system.ActorOf(Props.Create(() => new EchoActor()), "echo");

        await echo.Ask<string>("hello", TimeSpan.FromSeconds(5));

        Assert.Equal(0, _clock.ActiveTimerCount);
    }
}
