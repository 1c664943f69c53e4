using SessionCluster.Actors.Runtime;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Runtime;

public sealed class MailboxTests : IAsyncLifetime
{
    private readonly ActorSystem _system = new("test");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _system.TerminateAsync();

    [Fact]
    public async Task Tell_FromOneSender_ArrivesInSendOrder()
    {
        var probe = new TestProbe();
        var echo = _system.ActorOf(Props.Create(() => new EchoActor()), "echo");
        for (var i = 0; i < 5000; i++)
        {
            echo.Tell(i, probe);
        }

        for (var i = 0; i < 5000; i++)
        {
            Assert.Equal(i, await probe.ExpectMsg<int>());
        }
    }

    [Fact]
    public async Task Tell_FromManyThreads_HandlesOneMessageAtATime()
    {
        var actor = _system.ActorOf(Props.Create(() => new OverlapDetectingActor()), "overlap");
        const int senders = 8;
        const int perSender = 2000;
        await Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < perSender; i++)
            {
                actor.Tell("work");
            }
        })));

        var (handled, overlaps) = await Eventually.Value(
            () => actor.Ask<(int, int)>("report", TimeSpan.FromSeconds(5)),
            r => r.Item1 == senders * perSender,
            "all messages handled");
        Assert.Equal(0, overlaps);
        Assert.Equal(senders * perSender, handled);
    }

    [Fact]
    public async Task Tell_AfterStop_GoesToDeadLetters()
    {
        var probe = new TestProbe();
        var counter = _system.ActorOf(Props.Create(() => new CounterActor(probe)), "counter");
        Assert.Equal("started", await probe.ExpectMsg<string>());
        var before = _system.DeadLetterCount;
        counter.Tell(PoisonPill.Instance);
        Assert.Equal("stopped", await probe.ExpectMsg<string>());

        counter.Tell("inc");

        await Eventually.True(() => _system.DeadLetterCount == before + 1, "the message to a stopped actor is a dead letter");
    }

    [Fact]
    public async Task PoisonPill_IsHandledAfterEarlierMessages()
    {
        var probe = new TestProbe();
        var echo = _system.ActorOf(Props.Create(() => new EchoActor()), "echo");
        echo.Tell("first", probe);
        echo.Tell(PoisonPill.Instance);
        echo.Tell("after", probe);

        Assert.Equal("first", await probe.ExpectMsg<string>());
        await Eventually.True(() => _system.DeadLetterCount >= 1, "the message after the poison pill is a dead letter");
        Assert.False(probe.HasMessages);
    }

    [Fact]
    public void ActorOf_TakenName_Throws()
    {
        _system.ActorOf(Props.Create(() => new EchoActor()), "same");

        var error = Assert.Throws<InvalidActorNameException>(() => _system.ActorOf(Props.Create(() => new EchoActor()), "same"));
        Assert.Contains("already taken", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("$temp")]
    public void ActorOf_MalformedName_Throws(string name) =>
        Assert.Throws<InvalidActorNameException>(() => _system.ActorOf(Props.Create(() => new EchoActor()), name));

    [Fact]
    public async Task TerminateAsync_StopsChildrenBeforeParents()
    {
        var probe = new TestProbe();
        _system.ActorOf(Props.Create(() => new ParentActor(SupervisorStrategy.Default, Props.Create(() => new CounterActor(probe)), probe)), "parent");
        Assert.Equal("started", await probe.ExpectMsg<string>());

        await _system.TerminateAsync();

        Assert.Equal("stopped", await probe.ExpectMsg<string>());
        Assert.Equal("parent-stopped", await probe.ExpectMsg<string>());
        Assert.True(_system.WhenTerminated.IsCompleted);
    }

    /// <summary>Counts messages and how often a second message started while one was in progress.</summary>
    private sealed class OverlapDetectingActor : Actor
    {
        private int _inside;
        private int _handled;
        private int _overlaps;

        protected internal override void Receive(object message)
        {
            if (message is "report")
            {
                Sender.Tell((_handled, _overlaps));
                return;
            }

            if (Interlocked.Increment(ref _inside) != 1)
            {
                _overlaps++;
            }

            Thread.SpinWait(20);
            _handled++;
            Interlocked.Decrement(ref _inside);
        }
    }
}
