using SessionCluster.Actors.Runtime;

namespace SessionCluster.Actors.Tests.Runtime;

/// <summary>A dispatcher that runs nothing until told: a test fills mailboxes, checks what was refused, then lets the
/// actors run, without racing a thread pool that drains the queue meanwhile.</summary>
/// <param name="runsTurnsOnCallers">Whether callers outside any actor may run an idle actor's turn themselves, as on
/// the thread pool.</param>
internal sealed class HeldDispatcher(bool runsTurnsOnCallers = false) : IMessageDispatcher
{
    private readonly Queue<IThreadPoolWorkItem> _ready = new();

    public bool RunsTurnsOnCallers => runsTurnsOnCallers;

    /// <summary>Mailboxes dispatched and not yet run.</summary>
    public int Waiting
    {
        get
        {
            lock (_ready)
            {
                return _ready.Count;
            }
        }
    }

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
