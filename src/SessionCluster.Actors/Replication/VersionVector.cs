using System.Collections.Immutable;

namespace SessionCluster.Actors.Replication;

/// <summary>Per replica, how many of its events a state has seen; the causal summary that anti-entropy compares.</summary>
/// <remarks>Absent entries count as 0 and zero entries are never stored, so equal vectors have equal entries.</remarks>
public sealed class VersionVector : IEquatable<VersionVector>
{
    public static readonly VersionVector Empty = new(ImmutableSortedDictionary<ReplicaId, long>.Empty);

    private VersionVector(ImmutableSortedDictionary<ReplicaId, long> entries) => Entries = entries;

    public ImmutableSortedDictionary<ReplicaId, long> Entries { get; }

    /// <summary>A vector with the given counters; negative counters are refused, zeros dropped.</summary>
    public static VersionVector Of(IEnumerable<KeyValuePair<ReplicaId, long>> entries)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<ReplicaId, long>();
        foreach (var (replica, count) in entries)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(count, nameof(entries));
            if (count > 0)
            {
                builder.Add(replica, count);
            }
        }

        return new VersionVector(builder.ToImmutable());
    }

    public long this[ReplicaId replica] => Entries.TryGetValue(replica, out var count) ? count : 0;

    /// <summary>This vector with one more event of <paramref name="replica"/>.</summary>
    public VersionVector Increment(ReplicaId replica) => new(Entries.SetItem(replica, checked(this[replica] + 1)));

    /// <summary>The pointwise maximum: the least vector that has seen everything either has.</summary>
    public VersionVector Merge(VersionVector other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var merged = Entries.ToBuilder();
        foreach (var (replica, count) in other.Entries)
        {
            if (count > this[replica])
            {
                merged[replica] = count;
            }
        }

        return new VersionVector(merged.ToImmutable());
    }

    public CausalOrder Compare(VersionVector other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var less = false;
        var greater = false;
        foreach (var (replica, count) in Entries)
        {
            greater |= count > other[replica];
            less |= count < other[replica];
        }

        foreach (var (replica, count) in other.Entries)
        {
            less |= count > this[replica];
        }

        return (less, greater) switch
        {
            (false, false) => CausalOrder.Equal,
            (true, false) => CausalOrder.Before,
            (false, true) => CausalOrder.After,
            _ => CausalOrder.Concurrent,
        };
    }

    public bool Equals(VersionVector? other) =>
        other is not null && Entries.Count == other.Entries.Count && Entries.All(entry => other[entry.Key] == entry.Value);

    public override bool Equals(object? obj) => Equals(obj as VersionVector);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var (replica, count) in Entries)
        {
            hash.Add(replica);
            hash.Add(count);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => "{" + string.Join(", ", Entries.Select(entry => $"{entry.Key}: {entry.Value}")) + "}";
}
