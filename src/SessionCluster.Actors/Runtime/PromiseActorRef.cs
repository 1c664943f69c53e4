namespace SessionCluster.Actors.Runtime;

/// <summary>A one-shot reference that completes a task with the first message it receives, or fails it on timeout.</summary>
internal sealed class PromiseActorRef : ActorRef
{
    private static long _counter;

    private readonly TaskCompletionSource<object> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _number = Interlocked.Increment(ref _counter);
    private ITimer? _timer;
    private CancellationTokenRegistration _cancellation;

    // Built only when asked for (logs, dead letters): an Ask is on every request's path.
    public override string Path => "/temp/ask-" + _number;

    public Task<object> Task => _completion.Task;

    public override void Tell(object message, ActorRef? sender = null)
    {
        if (_completion.TrySetResult(message))
        {
            Release();
        }
    }

    /// <summary>Arms the timeout and the cancellation; either fails the task with a message naming the target.</summary>
    public void Arm(TimeProvider time, TimeSpan timeout, ActorRef target, object message, CancellationToken cancellationToken)
    {
        // The error text is composed only if the Ask does time out, not on every request.
        _timer = time.CreateTimer(
            static state =>
            {
                var (promise, target, messageType, timeout) = ((PromiseActorRef, ActorRef, Type, TimeSpan))state!;
                var error = $"Ask of {messageType.Name} to {target.Path} got no reply within {timeout.TotalMilliseconds:0} ms.";
                if (promise._completion.TrySetException(new AskTimeoutException(error)))
                {
                    promise.Release();
                }
            },
            (this, target, message.GetType(), timeout),
            timeout,
            Timeout.InfiniteTimeSpan);
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.Register(
                static state =>
                {
                    var (promise, token) = ((PromiseActorRef, CancellationToken))state!;
                    if (promise._completion.TrySetCanceled(token))
                    {
                        promise.Release();
                    }
                },
                (this, cancellationToken));
        }
    }

    private void Release()
    {
        _timer?.Dispose();
        _cancellation.Dispose();
    }
}
