namespace SessionCluster.Actors.Runtime;

/// <summary>Runs mailboxes that have work. The default uses the thread pool; tests may run them on one thread.</summary>
public interface IMessageDispatcher
{
    void Dispatch(IThreadPoolWorkItem mailbox);

    /// <summary>Whether a caller outside any actor (an Ask, the transport's reader) may run an idle actor's turn on its
    /// own thread instead of dispatching it: a dispatcher that orders turns itself (a test's) says no.</summary>
    bool RunsTurnsOnCallers => false;
}

/// <summary>Runs each mailbox turn as a thread-pool work item: an idle actor holds no thread and no task.</summary>
public sealed class ThreadPoolDispatcher : IMessageDispatcher
{
    public static readonly ThreadPoolDispatcher Instance = new();

    public void Dispatch(IThreadPoolWorkItem mailbox) => ThreadPool.UnsafeQueueUserWorkItem(mailbox, preferLocal: false);

    /// <inheritdoc/>
    /// <remarks>Yes: the caller would otherwise hand the turn to another pool thread and wait for it, a wake-up or two
    /// per message on paths (a request reading its session, a backup's acknowledgement) that do little else.</remarks>
    public bool RunsTurnsOnCallers => true;
}
