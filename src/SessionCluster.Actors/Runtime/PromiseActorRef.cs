namespace SessionCluster.Actors.Runtime;

/// <summary>A one-shot reference that completes a task with the first message it receives, or fails it on timeout.</summary>
internal sealed class PromiseActorRef : ActorRef
{
    private static long _counter;

    private readonly TaskCompletionSource<object> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _path = "/temp/ask-" + Interlocked.Increment(ref _counter);
    private ITimer? _timer;
    private CancellationTokenRegistration _cancellation;

    public override string Path => _path;

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
        _timer = time.CreateTimer(
            static state =>
            {
                var (promise, error) = ((PromiseActorRef, string))state!;
                if (promise._completion.TrySetException(new AskTimeoutException(error)))
                {
                    promise.Release();
                }
            },
            (this, $"Ask of {message.GetType().Name} to {target.Path} got no reply within {timeout.TotalMilliseconds:0} ms."),
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
