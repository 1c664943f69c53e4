namespace SessionCluster.Actors.Runtime;

/// <summary>A cap on an actor's queue of user messages, and what happens to a message that finds the queue full.</summary>
/// <remarks>
/// <para>Only messages that <see cref="MayShed"/> accepts are ever refused: requests a client can repeat, or protocol
/// messages that are re-sent anyway (gossip). Everything else — replies, acknowledgements, timers, Terminated, the
/// actor's own protocol — is always queued, even past the capacity: losing one of those would be silent corruption,
/// and their number is bounded by the protocols that send them, not by clients. System messages (stop, watch) have
/// their own queue and never count.</para>
/// <para>A refused message is never lost silently: <see cref="OnShed"/> answers its sender (a request gets a clear
/// "overloaded" reply, which the web layer turns into 503 with Retry-After); the runtime counts it
/// (<see cref="ActorSystem.MailboxOverflowCount"/>) and logs a warning at most once a second.</para>
/// </remarks>
/// <param name="Capacity">User messages queued before a sheddable one is refused; at least 1.</param>
/// <param name="MayShed">True for a message that may be refused when the queue is full.</param>
/// <param name="OnShed">Called, on the sender's thread and outside the mailbox lock, with each refused message and its
/// sender: it must tell the sender (or whoever waits) that the message was not taken. Null: an Ask gets a
/// <see cref="MailboxFullException"/>, other senders nothing (the message is only counted and logged).</param>
public sealed record MailboxBound(int Capacity, Func<object, bool> MayShed, Action<object, ActorRef?>? OnShed = null)
{
    /// <summary>Validates the capacity: a bound of zero would refuse every request.</summary>
    public int Capacity { get; init; } = Capacity > 0 ? Capacity : throw new ArgumentOutOfRangeException(nameof(Capacity), Capacity, "A mailbox capacity must be at least 1.");
}
