using SessionCluster.Actors.Runtime;

namespace SessionCluster.Actors.Tests.Runtime;

/// <summary>A dispatcher that runs nothing until told: a test fills mailboxes, checks what was refused, then lets the
/// actors run, without racing a thread pool that drains the queue meanwhile.</summary>
internal sealed class HeldDispatcher : IMessageDispatcher
{
    private readonly Queue<IThreadPoolWorkItem> _ready = new();

    public void Dispatch(IThreadPoolWorkItem mailbox)
    {
        lock (_ready)
        {
            _ready.Enqueue(mailbox);
        }
    }

    /// <summary>Runs mailbox turns, on this thread, until no mailbox has work.</summary>
    public void RunAll()
    {
        while (true)
        {
            IThreadPoolWorkItem next;
            lock (_ready)
            {
                if (!_ready.TryDequeue(out next!))
                {
                    return;
                }
            }

            next.Execute();
        }
    }
}
