namespace SessionCluster.Hosting.AspNetSessions;

/// <summary>A session could not be loaded or committed: the cluster refused the change (a limit), the session ended
/// meanwhile, or its shard did not answer in time. Nothing of the refused commit was applied, except where
/// <see cref="MayHaveApplied"/> says otherwise.</summary>
public sealed class SessionStoreException : Exception
{
    public SessionStoreException(string message, bool mayHaveApplied = false)
        : base(message) => MayHaveApplied = mayHaveApplied;

    public SessionStoreException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public SessionStoreException()
    {
    }

    public SessionStoreException(string message)
        : base(message)
    {
    }

    /// <summary>True when the commit timed out after it was sent: it may or may not have been applied (retrying it is safe).</summary>
    public bool MayHaveApplied { get; }
}
