namespace SessionCluster.Actors.Replication;

/// <summary>Why an increment of a replicated attribute was refused; the state is then unchanged.</summary>
public enum IncrementRejection
{
    /// <summary>The attribute holds a JSON value that is not an integer.</summary>
    NotAnInteger,

    /// <summary>The result would not fit a signed 64-bit integer (or the attribute's merged value already does not),
    /// or this replica's running totals are exhausted; setting the attribute again resets them.</summary>
    Overflow,
}
