using System.Threading.Channels;
using SessionCluster.Actors.Runtime;

namespace SessionCluster.TestKit;

/// <summary>An actor reference that records what it receives, so a test can expect messages with a deadline.</summary>
public sealed class TestProbe(string name = "probe") : ActorRef
{
    private readonly Channel<(object Message, ActorRef? Sender)> _received = Channel.CreateUnbounded<(object, ActorRef?)>();

    public override string Path => "/test/" + name;

    /// <summary>The sender of the last message taken with an Expect method.</summary>
    public ActorRef? LastSender { get; private set; }

    public override void Tell(object message, ActorRef? sender = null) => _received.Writer.TryWrite((message, sender));

    /// <summary>Takes the next message; fails if none arrives within the deadline or it is not a <typeparamref name="T"/>.</summary>
    public async Task<T> ExpectMsg<T>(TimeSpan? deadline = null)
    {
        var limit = deadline ?? Eventually.DefaultDeadline;
        using var timeout = new CancellationTokenSource(limit);
        (object Message, ActorRef? Sender) next;
        try
        {
            next = await _received.Reader.ReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Path} expected a {typeof(T).Name} within {limit.TotalSeconds:0.#} s but got nothing.");
        }

        LastSender = next.Sender;
        return next.Message is T typed
            ? typed
            : throw new InvalidOperationException($"{Path} expected a {typeof(T).Name} but got {next.Message}.");
    }

    /// <summary>True if a message is waiting now; never waits.</summary>
    public bool HasMessages => _received.Reader.Count > 0;
}
