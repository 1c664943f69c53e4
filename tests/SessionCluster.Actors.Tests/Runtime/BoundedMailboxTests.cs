using SessionCluster.Actors.Runtime;
using SessionCluster.Actors.Tests.Remoting;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Runtime;

/// <summary>A bounded mailbox refuses only what its bound may shed, answers every refusal, counts and logs it, and
/// never refuses anything else (replies, Terminated, system messages).</summary>
public sealed class BoundedMailboxTests
{
    private readonly HeldDispatcher _dispatcher = new();
    private readonly ManualTimeProvider _clock = new();
    private readonly CapturingLoggerFactory _logs = new();
    private readonly ActorSystem _system;

    public BoundedMailboxTests() => _system = new ActorSystem("bounded", _clock, _logs, _dispatcher);

    [Fact]
    public void Tell_FloodingSender_IsRefusedBeyondTheCapacityAndEachRefusalAnswered()
    {
        var refused = new List<(object Message, ActorRef? Sender)>();
        var recorder = new RecordingActorState();
        var actor = Bounded(recorder, new MailboxBound(10, static m => m is string, (m, s) => refused.Add((m, s))));
        _dispatcher.RunAll();   // started, mailbox empty
        var flooder = new TestProbe("flooder");

        for (var i = 0; i < 1_000; i++)
        {
            actor.Tell("request " + i, flooder);
        }

        Assert.Equal(990, refused.Count);
        Assert.All(refused, r => Assert.Same(flooder, r.Sender));
        Assert.Equal("request 10", refused[0].Message);
        Assert.Equal(990, _system.MailboxOverflowCount);
        _dispatcher.RunAll();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (object)("request " + i)), recorder.Received);
    }

    [Fact]
    public void Tell_MessagesTheBoundMayNotShed_AreQueuedPastTheCapacity()
    {
        var recorder = new RecordingActorState();
        var actor = Bounded(recorder, new MailboxBound(5, static m => m is string, static (_, _) => { }));
        _dispatcher.RunAll();
        for (var i = 0; i < 5; i++)
        {
            actor.Tell("request " + i);
        }

        // The mailbox is full of requests: protocol messages (here ints) still go in, requests do not.
        for (var i = 0; i < 100; i++)
        {
            actor.Tell(i);
        }

        actor.Tell("one request too many");

        _dispatcher.RunAll();
        Assert.Equal(105, recorder.Received.Count);
        Assert.Equal(1, _system.MailboxOverflowCount);
        Assert.DoesNotContain("one request too many", recorder.Received);
    }

    [Fact]
    public async Task Ask_ToAFullMailboxWithoutAnAnswerOfItsOwn_FailsAtOnceWithMailboxFull()
    {
        var actor = Bounded(new RecordingActorState(), new MailboxBound(1, static m => m is string));
        _dispatcher.RunAll();
        actor.Tell("fills it");

        var ask = actor.Ask<object>("refused", TimeSpan.FromHours(1));

        Assert.True(ask.IsCompleted, "the Ask fails now, not at its timeout");
        var failure = await Assert.ThrowsAsync<MailboxFullException>(() => ask);
        Assert.Equal(1, failure.Capacity);
        Assert.Equal(actor.Path, failure.Path);
    }

    [Fact]
    public void Stop_ToAFullMailbox_IsNotRefused_SystemMessagesNeverCount()
    {
        var recorder = new RecordingActorState();
        var actor = Bounded(recorder, new MailboxBound(1, static _ => true, static (_, _) => { }));
        _dispatcher.RunAll();
        actor.Tell("fills it");
        actor.Tell("refused");

        _system.Stop(actor);
        _dispatcher.RunAll();

        Assert.True(recorder.Stopped, "the stop went through a full mailbox");
        Assert.Empty(recorder.Received);   // stopping comes before the queued request, which goes to dead letters
        Assert.Equal(1, _system.MailboxOverflowCount);
    }

    [Fact]
    public void Overflow_IsLoggedAsAWarningAtMostOnceASecond_WithTheCountSinceTheLastOne()
    {
        var actor = Bounded(new RecordingActorState(), new MailboxBound(1, static _ => true, static (_, _) => { }));
        _dispatcher.RunAll();
        actor.Tell("fills it");

        for (var i = 0; i < 500; i++)
        {
            actor.Tell("flood");
        }

        _clock.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 300; i++)
        {
            actor.Tell("flood");
        }

        var warnings = _logs.Log.Entries.Where(e => e.Event.Id == 104).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, w.Level));
        Assert.Contains(actor.Path, warnings[0].Message);
        Assert.Contains("1 messages in all", warnings[0].Message);     // the first refusal is reported at once
        Assert.Contains("500 messages in all", warnings[1].Message);   // 499 held back in the first second, then this one
        Assert.Equal(800, _system.MailboxOverflowCount);
    }

    [Fact]
    public void MailboxBound_OfZero_IsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new MailboxBound(0, static _ => true));

    private ActorRef Bounded(RecordingActorState state, MailboxBound bound) =>
        _system.ActorOf(Props.Create(() => new RecordingActor(state)).WithMailbox(bound), "bounded");

    /// <summary>What a <see cref="RecordingActor"/> saw, kept outside it (actors are built by their props).</summary>
    private sealed class RecordingActorState
    {
        public List<object> Received { get; } = [];

        public bool Stopped { get; set; }
    }

    private sealed class RecordingActor(RecordingActorState state) : Actor
    {
        protected internal override void Receive(object message) => state.Received.Add(message);

        protected internal override void PostStop() => state.Stopped = true;
    }
}
