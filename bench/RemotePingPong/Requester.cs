using SessionCluster.Actors.Remoting;

namespace RemotePingPong;

/// <summary>Node A in request/response runs: keeps a window of Pings in flight, sending the next on each Pong.</summary>
public sealed class Requester : ITransportHandler
{
    private TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private NodeAddress? _target;
    private long _roundTrips;
    private long _sent;
    private long _answered;

    public ITransport? Transport { get; set; }

    /// <summary>Sends <paramref name="window"/> Pings to <paramref name="target"/>; completes after <paramref name="roundTrips"/> Pongs.</summary>
    public Task Run(NodeAddress target, long roundTrips, int window)
    {
        _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _target = target;
        _roundTrips = roundTrips;
        _answered = 0;
        _sent = Math.Min(window, roundTrips);
        for (var i = 0; i < _sent; i++)
        {
            Transport!.Send(target, new Ping(i));
        }

        return _done.Task;
    }

    public void OnMessage(UniqueAddress from, object message)
    {
        if (message is not Pong)
        {
            return;
        }

        var next = Interlocked.Increment(ref _sent);
        if (next <= _roundTrips)
        {
            Transport!.Send(_target!, new Ping(next));
        }

        if (Interlocked.Increment(ref _answered) == _roundTrips)
        {
            _done.TrySetResult();
        }
    }
}
