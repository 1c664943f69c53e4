using SessionCluster.Actors.Remoting;

namespace RemotePingPong;

/// <summary>Node B: counts the Pings it receives and, while <see cref="Echo"/> is on, answers each with a Pong.</summary>
public sealed class Responder : ITransportHandler
{
    private TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _target = long.MaxValue;
    private long _count;

    public ITransport? Transport { get; set; }

    public bool Echo { get; set; }

    /// <summary>Completes when <paramref name="pings"/> more Pings have arrived.</summary>
    public Task Expect(long pings)
    {
        _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _count, 0);
        Volatile.Write(ref _target, pings);
        return _done.Task;
    }

    public void OnMessage(UniqueAddress from, object message)
    {
        if (message is not Ping ping)
        {
            return;
        }

        if (Echo)
        {
            Transport!.Send(from.Address, new Pong(ping.Sequence));
        }

        if (Interlocked.Increment(ref _count) == Volatile.Read(ref _target))
        {
            _done.TrySetResult();
        }
    }
}
