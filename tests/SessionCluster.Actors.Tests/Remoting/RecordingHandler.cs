using System.Collections.Concurrent;
using SessionCluster.Actors.Remoting;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Remoting;

/// <summary>Records what a transport delivers and the refused connections it reports, and answers each
/// <see cref="RequestMessage"/> through <see cref="Transport"/>.</summary>
public sealed class RecordingHandler : ITransportHandler
{
    private readonly ConcurrentQueue<(UniqueAddress From, object Message)> _received = new();
    private readonly ConcurrentQueue<NodeAddress> _refused = new();

    /// <summary>The transport replies go out on; set once the transport exists.</summary>
    public ITransport? Transport { get; set; }

    public int Count => _received.Count;

    public IReadOnlyList<(UniqueAddress From, object Message)> Received => [.. _received];

    /// <summary>Every refused connection reported, in order.</summary>
    public IReadOnlyList<NodeAddress> Refused => [.. _refused];

    public void OnMessage(UniqueAddress from, object message)
    {
        _received.Enqueue((from, message));
        if (message is RequestMessage request)
        {
            Transport?.Send(from.Address, new ResponseMessage(request.Id));
        }
    }

    public void OnConnectionRefused(NodeAddress peer) => _refused.Enqueue(peer);

    /// <summary>Waits until at least <paramref name="count"/> messages have arrived; returns them all.</summary>
    public async Task<IReadOnlyList<(UniqueAddress From, object Message)>> WaitFor(int count, string what, TimeSpan? deadline = null)
    {
        await Eventually.True(() => _received.Count >= count, $"{what}: {count} messages", deadline);
        return Received;
    }

    public IEnumerable<T> Messages<T>() => _received.Select(r => r.Message).OfType<T>();
}
