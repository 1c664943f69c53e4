namespace SessionCluster.Actors.Replication;

/// <summary>How one <see cref="VersionVector"/> relates to another in the happened-before order.</summary>
public enum CausalOrder
{
    /// <summary>Both have seen exactly the same events.</summary>
    Equal,

    /// <summary>This one is older: the other has seen every event this one has, and more.</summary>
    Before,

    /// <summary>This one is newer: it has seen every event the other has, and more.</summary>
    After,

    /// <summary>Each has seen events the other has not: the states must be merged.</summary>
    Concurrent,
}
