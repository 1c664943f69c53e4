using SessionCluster.Actors.Runtime;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Runtime;

/// <summary>A caller outside any actor runs an idle actor's turn itself: an Ask is then answered before it returns, with
/// no timer armed and no thread woken; anything else still goes through the dispatcher.</summary>
public sealed class CallerRunsTurnTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly ManualTimeProvider _clock = new();
    private readonly HeldDispatcher _dispatcher = new(runsTurnsOnCallers: true);
    private readonly ActorSystem _system;

    public CallerRunsTurnTests() => _system = new ActorSystem("test", _clock, dispatcher: _dispatcher);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        var terminated = _system.TerminateAsync();
        _dispatcher.RunAll();
        return terminated;
    }

    [Fact]
    public async Task An_ask_of_an_idle_actor_is_answered_before_it_returns_and_arms_no_timer()
    {
        var echo = _system.ActorOf(Props.Create(() => new EchoActor()), "echo");
        _dispatcher.RunAll();

        var ask = echo.Ask<string>("hello", Timeout);

        Assert.True(ask.IsCompleted);
        Assert.Equal("hello", await ask);
        Assert.Equal(0, _dispatcher.Waiting);
        Assert.Equal(0, _clock.ActiveTimerCount);
    }

    [Fact]
    public async Task An_ask_of_an_actor_with_a_turn_pending_waits_for_that_turn()
    {
        var echo = _system.ActorOf(Props.Create(() => new EchoActor()), "echo");
        _dispatcher.RunAll();
        echo.Tell("earlier");

        var ask = echo.Ask<string>("hello", Timeout);

        Assert.False(ask.IsCompleted);
        Assert.Equal(1, _clock.ActiveTimerCount);
        _dispatcher.RunAll();
        Assert.Equal("hello", await ask);
        Assert.Equal(0, _clock.ActiveTimerCount);
    }

    [Fact]
    public async Task An_ask_made_inside_a_turn_is_dispatched_not_run_on_that_turns_thread()
    {
        var echo = _system.ActorOf(Props.Create(() => new EchoActor()), "echo");
        var asker = _system.ActorOf(Props.Create(() => new AskingActor(echo)), "asker");
        _dispatcher.RunAll();

        var answeredInsideTheTurn = await asker.Ask<bool>("go", Timeout);

        Assert.False(answeredInsideTheTurn);
        Assert.Equal(1, _dispatcher.Waiting);
        _dispatcher.RunAll();
    }

    [Fact]
    public async Task A_turn_run_by_a_caller_sees_none_of_its_async_locals_and_lets_none_flow_into_what_it_starts()
    {
        var probe = _system.ActorOf(Props.Create(() => new ContextProbeActor()), "probe");
        _dispatcher.RunAll();
        CallerLocal.Value = "request-1";

        var ask = probe.Ask<(string? InTurn, string? InWhatItStarts)>("check", Timeout);

        Assert.True(ask.IsCompleted);   // the turn ran here, on the caller's thread
        Assert.Equal((null, null), await ask);
        Assert.Equal("request-1", CallerLocal.Value);
        Assert.False(ExecutionContext.IsFlowSuppressed());
    }

    [Fact]
    public async Task A_dispatcher_that_orders_turns_itself_is_never_bypassed()
    {
        var held = new HeldDispatcher();
        var system = new ActorSystem("held", _clock, dispatcher: held);
        var echo = system.ActorOf(Props.Create(() => new EchoActor()), "echo");
        held.RunAll();

        var ask = echo.Ask<string>("hello", Timeout);

        Assert.False(ask.IsCompleted);
        held.RunAll();
        Assert.Equal("hello", await ask);
        var terminated = system.TerminateAsync();
        held.RunAll();
        await terminated;
    }

    /// <summary>Asks another actor from inside its turn and reports whether the reply was there before the Ask returned.</summary>
    private sealed class AskingActor(ActorRef target) : Actor
    {
        protected internal override void Receive(object message)
        {
            var ask = target.Ask<string>("inner", Timeout);
            Sender.Tell(ask.IsCompleted);
        }
    }

    /// <summary>An async-local a caller sets, as ASP.NET Core's logging scopes and activities are.</summary>
    private static readonly AsyncLocal<string?> CallerLocal = new();

    /// <summary>Reports the caller's async-local as its turn sees it, and as a context captured in its turn (what a timer
    /// or task it starts would run in) sees it.</summary>
    private sealed class ContextProbeActor : Actor
    {
        protected internal override void Receive(object message)
        {
            string? inWhatItStarts = null;   // nothing captured (flow suppressed): nothing flows either
            if (ExecutionContext.Capture() is { } captured)
            {
                ExecutionContext.Run(captured, _ => inWhatItStarts = CallerLocal.Value, null);
            }

            Sender.Tell((CallerLocal.Value, inWhatItStarts));
        }
    }
}
