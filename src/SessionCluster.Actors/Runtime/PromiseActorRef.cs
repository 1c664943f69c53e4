namespace SessionCluster.Actors.Runtime;

/// <summary>A one-shot reference that completes a task with the first message it receives, or fails it on timeout.</summary>
internal sealed class PromiseActorRef : ActorRef
{
    private static long _counter;

    private readonly TaskCompletionSource<object> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _number = Interlocked.Increment(ref _counter);
    private Deadline? _deadline;

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
    /// <remarks>May be called after the message was sent: a reply that came meanwhile releases what this arms.</remarks>
    public void Arm(TimeProvider time, TimeSpan timeout, ActorRef target, object message, CancellationToken cancellationToken)
    {
        // The error text is composed only if the Ask does time out, not on every request.
        var timer = time.CreateTimer(
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
        var cancellation = cancellationToken.CanBeCanceled
            ? cancellationToken.Register(
                static state =>
                {
                    var (promise, token) = ((PromiseActorRef, CancellationToken))state!;
                    if (promise._completion.TrySetCanceled(token))
                    {
                        promise.Release();
                    }
                },
                (this, cancellationToken))
            : default;

        // Published with a full fence: either a concurrent completion's Release finds the deadline, or this check
        // sees that completion and releases it here.
        Interlocked.Exchange(ref _deadline, new Deadline(timer, cancellation));
        if (_completion.Task.IsCompleted)
        {
            Release();
        }
    }

    private void Release() => Interlocked.Exchange(ref _deadline, null)?.Dispose();

    /// <summary>The armed timer and cancellation registration, released together exactly once.</summary>
    private sealed class Deadline(ITimer timer, CancellationTokenRegistration cancellation)
    {
        public void Dispose()
        {
            timer.Dispose();
            cancellation.Dispose();
        }
    }
}
