namespace SessionCluster.Actors.Runtime;

/// <summary>The execution context a thread-pool work item starts in: no async-locals, flow not suppressed.</summary>
/// <remarks>.NET does not expose it, but a thread started without flow captures it, so it is taken once from one.</remarks>
internal static class EmptyExecutionContext
{
    /// <summary>The empty context, for <see cref="ExecutionContext.Run"/>.</summary>
    public static ExecutionContext Instance { get; } = Capture();

    private static ExecutionContext Capture()
    {
        ExecutionContext? empty = null;
        var thread = new Thread(() => empty = ExecutionContext.Capture()) { IsBackground = true, Name = "execution-context capture" };
        if (ExecutionContext.IsFlowSuppressed())
        {
            thread.Start();
        }
        else
        {
            using (ExecutionContext.SuppressFlow())
            {
                thread.Start();
            }
        }

        thread.Join();
        return empty ?? throw new InvalidOperationException("A thread started without flow captured no execution context.");
    }
}
