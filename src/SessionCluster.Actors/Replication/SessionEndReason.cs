namespace SessionCluster.Actors.Replication;

/// <summary>Why a replicated session ended; carried by its end tombstone.</summary>
public enum SessionEndReason
{
    /// <summary>The application invalidated it.</summary>
    Invalidated,

    /// <summary>It was idle for its whole max inactive interval.</summary>
    Expired,
}
