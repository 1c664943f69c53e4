using SessionCluster.Actors.Runtime;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Runtime;

public sealed class TimerTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _clock = new();
    private readonly ActorSystem _system;
    private readonly TestProbe _probe = new();

    public TimerTests() => _system = new ActorSystem("test", _clock);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _system.TerminateAsync();

    [Fact]
    public async Task SingleTimer_FiresOnceWhenDue()
    {
        var actor = await StartTimerActor();
        await actor.Ask<string>(new StartSingle("t", "tick", TimeSpan.FromSeconds(10)), TimeSpan.FromSeconds(5));

        _clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal("before", await actor.Ask<string>(new Echo("before"), TimeSpan.FromSeconds(5)));
        Assert.False(_probe.HasMessages);

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("tick", await _probe.ExpectMsg<string>());

        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("after", await actor.Ask<string>(new Echo("after"), TimeSpan.FromSeconds(5)));
        Assert.False(_probe.HasMessages);
    }

    [Fact]
    public async Task PeriodicTimer_FiresEveryInterval()
    {
        var actor = await StartTimerActor();
        await actor.Ask<string>(new StartPeriodic("p", "beat", TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(5));

        _clock.Advance(TimeSpan.FromSeconds(3.5));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("beat", await _probe.ExpectMsg<string>());
        }

        await actor.Ask<string>(new Echo("sync"), TimeSpan.FromSeconds(5));
        Assert.False(_probe.HasMessages);
    }

    [Fact]
    public async Task CancelledTimer_NeverDelivers()
    {
        var actor = await StartTimerActor();
        await actor.Ask<string>(new StartSingle("t", "tick", TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(5));
        await actor.Ask<string>(new CancelTimer("t"), TimeSpan.FromSeconds(5));

        _clock.Advance(TimeSpan.FromSeconds(2));

        await actor.Ask<string>(new Echo("sync"), TimeSpan.FromSeconds(5));
        Assert.False(_probe.HasMessages);
        Assert.Equal(0, _clock.ActiveTimerCount);
    }

    [Fact]
    public async Task RestartingAKey_ReplacesTheEarlierTimer()
    {
        var actor = await StartTimerActor();
        await actor.Ask<string>(new StartSingle("t", "first", TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(5));
        await actor.Ask<string>(new StartSingle("t", "second", TimeSpan.FromSeconds(5)), TimeSpan.FromSeconds(5));

        _clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal("second", await _probe.ExpectMsg<string>());
        await actor.Ask<string>(new Echo("sync"), TimeSpan.FromSeconds(5));
        Assert.False(_probe.HasMessages);
    }

    [Fact]
    public async Task TimerFiredBeforeCancel_IsDroppedWhenCancelledFirst()
    {
        var actor = await StartTimerActor();
        await actor.Ask<string>(new StartSingle("t", "tick", TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(5));

        // The cancel is queued before the timer's message, as when a timer fires while the actor is busy.
        actor.Tell(new CancelTimer("t"), new TestProbe());
        _clock.Advance(TimeSpan.FromSeconds(1));

        await actor.Ask<string>(new Echo("sync"), TimeSpan.FromSeconds(5));
        Assert.False(_probe.HasMessages);
    }

    [Fact]
    public async Task StoppedActor_CancelsItsTimers()
    {
        var actor = await StartTimerActor();
        await actor.Ask<string>(new StartPeriodic("p", "beat", TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(5));

        _system.Stop(actor);

        await Eventually.True(() => _clock.ActiveTimerCount == 0, "the stopped actor's timer is disposed");
    }

    private async Task<ActorRef> StartTimerActor()
    {
        var actor = _system.ActorOf(Props.Create(() => new TimerActor(_probe)), "timers");
        await actor.Ask<string>(new Echo("ready"), TimeSpan.FromSeconds(5));
        return actor;
    }

    private sealed record StartSingle(string Key, string Message, TimeSpan Delay);

    private sealed record StartPeriodic(string Key, string Message, TimeSpan Interval);

    private sealed record CancelTimer(string Key);

    private sealed record Echo(string Text);

    private sealed class TimerActor(ActorRef probe) : Actor
    {
        protected internal override void Receive(object message)
        {
            switch (message)
            {
                case StartSingle start:
                    Context.Timers.StartSingleTimer(start.Key, start.Message, start.Delay);
                    Sender.Tell("ok");
                    break;
                case StartPeriodic start:
                    Context.Timers.StartPeriodicTimer(start.Key, start.Message, start.Interval);
                    Sender.Tell("ok");
                    break;
                case CancelTimer cancel:
                    Context.Timers.Cancel(cancel.Key);
                    Sender.Tell("ok");
                    break;
                case Echo echo:
                    Sender.Tell(echo.Text);
                    break;
                case string text:
                    probe.Tell(text);
                    break;
            }
        }
    }
}
