namespace SessionCluster.Actors.Membership;

/// <summary>How one <see cref="GossipVersion"/> relates to another.</summary>
public enum VersionOrder
{
    /// <summary>Identical: both gossips carry the same changes.</summary>
    Same,

    /// <summary>This one is older: the other has seen every change this one has, and more.</summary>
    Before,

    /// <summary>This one is newer.</summary>
    After,

    /// <summary>Each has changes the other lacks: the gossips must be merged.</summary>
    Concurrent,
}
