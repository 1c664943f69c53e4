namespace SessionCluster.Actors.Replication;

/// <summary>Names one writer of replicated state: a node incarnation, such as the text of its <c>UniqueAddress</c>.</summary>
/// <remarks>
/// It must name an incarnation, not just an address: a counter keeps one running total per replica and merges by
/// maximum, so a restarted node that reused its id and counted again from zero would have its new increments hidden
/// behind its old totals. Ordered by ordinal comparison, which every node computes the same way (the HLC tie-breaker).
/// </remarks>
public readonly record struct ReplicaId : IComparable<ReplicaId>
{
    public ReplicaId(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        Value = value;
    }

    /// <summary>The id's text; null only in <c>default(ReplicaId)</c>, which orders before every real id.</summary>
    public string Value { get; }

    public int CompareTo(ReplicaId other) => string.CompareOrdinal(Value, other.Value);

    public static bool operator <(ReplicaId left, ReplicaId right) => left.CompareTo(right) < 0;

    public static bool operator >(ReplicaId left, ReplicaId right) => left.CompareTo(right) > 0;

    public static bool operator <=(ReplicaId left, ReplicaId right) => left.CompareTo(right) <= 0;

    public static bool operator >=(ReplicaId left, ReplicaId right) => left.CompareTo(right) >= 0;

    public override string ToString() => Value ?? string.Empty;
}
