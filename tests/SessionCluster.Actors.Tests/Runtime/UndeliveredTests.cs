using System.Collections.Concurrent;
using SessionCluster.Actors.Runtime;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Runtime;

/// <summary>A sender implementing <see cref="IUndeliveredHandler"/> learns of every message that met a stopped actor.</summary>
public sealed class UndeliveredTests : IAsyncLifetime
{
    private readonly ActorSystem _system = new("test", new ManualTimeProvider());

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _system.TerminateAsync();

    [Fact]
    public async Task A_message_to_a_stopped_actor_is_handed_back_to_its_sender()
    {
        var target = _system.ActorOf(Props.Create(() => new EchoActor()), "gone");
        await target.Ask<string>("alive?", TimeSpan.FromSeconds(5));
        target.Tell(PoisonPill.Instance);
        await Eventually.True(() => Tell(target, "probe").Count > 0, "the stopped actor hands messages back");
    }

    [Fact]
    public async Task Messages_queued_behind_a_stop_are_handed_back_too()
    {
        var sender = new RecordingSender();
        var target = _system.ActorOf(Props.Create(() => new StopOnFirstActor()), "stopper");

        target.Tell("stop", sender);
        for (var i = 0; i < 100; i++)
        {
            target.Tell(i, sender);
        }

        // The first message stops the actor; every later one is either handed back while queued or when sent.
        await Eventually.True(() => sender.Undelivered.Count == 100, "all 100 queued messages handed back");
        Assert.Equal(Enumerable.Range(0, 100), sender.Undelivered.Cast<int>().Order());
    }

    private ConcurrentQueue<object> Tell(ActorRef target, object message)
    {
        var sender = new RecordingSender();
        target.Tell(message, sender);
        return sender.Undelivered;
    }

    private sealed class RecordingSender : ActorRef, IUndeliveredHandler
    {
        public ConcurrentQueue<object> Undelivered { get; } = new();

        public override string Path => "/test/recording";

        public override void Tell(object message, ActorRef? sender = null)
        {
        }

        public void OnUndelivered(object message) => Undelivered.Enqueue(message);
    }

    private sealed class StopOnFirstActor : Actor
    {
        protected internal override void Receive(object message) => Context.Stop(Self);
    }
}
