namespace SessionCluster.Actors.Runtime;

/// <summary>Runs mailboxes that have work. The default uses the thread pool; tests may run them on one thread.</summary>
public interface IMessageDispatcher
{
    void Dispatch(IThreadPoolWorkItem mailbox);
}

/// <summary>Runs each mailbox turn as a thread-pool work item: an idle actor holds no thread and no task.</summary>
public sealed class ThreadPoolDispatcher : IMessageDispatcher
{
    public static readonly ThreadPoolDispatcher Instance = new();

    public void Dispatch(IThreadPoolWorkItem mailbox) => ThreadPool.UnsafeQueueUserWorkItem(mailbox, preferLocal: false);
}
