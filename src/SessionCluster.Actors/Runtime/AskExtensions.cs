namespace SessionCluster.Actors.Runtime;

/// <summary>Request-reply over Tell: every Ask has a deadline, so no caller waits forever.</summary>
public static class AskExtensions
{
    /// <summary>Sends <paramref name="message"/> and waits for one reply of type <typeparamref name="T"/>.</summary>
    /// <exception cref="AskTimeoutException">No reply within <paramref name="timeout"/>.</exception>
    /// <exception cref="InvalidCastException">The reply was of another type.</exception>
    /// <remarks>A <see cref="StatusFailure"/> reply rethrows its cause. Asked from outside any actor, an idle local
    /// target handles the message on the asking thread.</remarks>
    public static async Task<T> Ask<T>(this ActorRef target, object message, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        var promise = new PromiseActorRef();
        target.TellAndRunHereIfIdle(message, promise);

        if (!promise.Task.IsCompleted)
        {
            // Armed only now: a local actor often answered during the Tell, and then no timer is needed at all.
            promise.Arm(target.System?.TimeProvider ?? TimeProvider.System, timeout, target, message, cancellationToken);
        }

        var reply = await promise.Task.ConfigureAwait(false);
        return reply switch
        {
            StatusFailure failure => throw failure.Cause, // first: an Ask<object> must not return a failure as a value
            T typed => typed,
            _ => throw new InvalidCastException($"Ask to {target.Path} expected a {typeof(T).Name} reply but got {reply.GetType().Name}."),
        };
    }
}
