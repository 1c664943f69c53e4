using System.Collections.Immutable;

namespace SessionCluster.Actors.Replication;

/// <summary>A counter that replicas increment and decrement independently and merge without losing any change.</summary>
/// <remarks>
/// Each replica keeps two running totals of its own, increments and decrements, which only grow; the value is the sum
/// of increments minus the sum of decrements, and a merge takes each total's maximum. Because a replica only ever
/// changes its own totals, the maximum is always the newer of two copies, so merges may come in any order, twice, or
/// not at all until anti-entropy, and every change still counts exactly once.
/// Totals are unsigned 64-bit and checked: a replica that has moved its counter by more than 2^64 in all (at least two
/// of the largest possible steps) can move it no further, and <see cref="Increment"/> throws
/// <see cref="OverflowException"/>; its owner resets the counter by writing a new value. The value is an
/// <see cref="Int128"/> because the sum of several replicas' totals may not fit 64 bits.
/// Entries are kept in a small array sorted by replica: a counter usually has one or two writers.
/// </remarks>
public sealed class PNCounter : IEquatable<PNCounter>
{
    public static readonly PNCounter Empty = new(ImmutableArray<(ReplicaId, ulong, ulong)>.Empty);

    private readonly ImmutableArray<(ReplicaId Replica, ulong Increments, ulong Decrements)> _entries;

    private PNCounter(ImmutableArray<(ReplicaId Replica, ulong Increments, ulong Decrements)> entries) => _entries = entries;

    /// <summary>Each replica's totals, sorted by replica; a replica with an entry has counted, even if only by 0.</summary>
    public ImmutableArray<(ReplicaId Replica, ulong Increments, ulong Decrements)> Entries => _entries;

    /// <summary>True when no replica has counted anything.</summary>
    public bool IsEmpty => _entries.IsEmpty;

    /// <summary>Total increments minus total decrements over all replicas.</summary>
    public Int128 Value
    {
        get
        {
            Int128 value = 0;
            foreach (var (_, increments, decrements) in _entries)
            {
                value += (Int128)increments - decrements;
            }

            return value;
        }
    }

    /// <summary>A counter holding the given totals (as decoded from the wire); each replica at most once.</summary>
    public static PNCounter Of(IEnumerable<(ReplicaId Replica, ulong Increments, ulong Decrements)> entries)
    {
        var sorted = entries.OrderBy(entry => entry.Replica).ToImmutableArray();
        for (var i = 0; i < sorted.Length; i++)
        {
            ArgumentException.ThrowIfNullOrEmpty(sorted[i].Replica.Value, nameof(entries));
            if (i > 0 && sorted[i].Replica == sorted[i - 1].Replica)
            {
                throw new ArgumentException($"The replica '{sorted[i].Replica}' appears twice.", nameof(entries));
            }
        }

        return new PNCounter(sorted);
    }

    /// <summary>Adds <paramref name="by"/> (negative to subtract) on behalf of <paramref name="replica"/>.</summary>
    /// <returns>The new counter, and the delta: just that replica's new totals, all a peer needs to catch up.</returns>
    /// <exception cref="OverflowException">The replica's running total would pass 2^64 - 1.</exception>
    public (PNCounter State, PNCounter Delta) Increment(ReplicaId replica, long by)
    {
        ArgumentException.ThrowIfNullOrEmpty(replica.Value, nameof(replica));
        var index = IndexOf(replica);
        var (increments, decrements) = index >= 0 ? (_entries[index].Increments, _entries[index].Decrements) : (0UL, 0UL);
        // by = long.MinValue has no positive long counterpart, but its magnitude fits a ulong.
        var next = by >= 0
            ? (replica, checked(increments + (ulong)by), decrements)
            : (replica, increments, checked(decrements + (ulong)(-(Int128)by)));
        var state = index >= 0 ? _entries.SetItem(index, next) : _entries.Insert(~index, next);
        return (new PNCounter(state), new PNCounter([next]));
    }

    /// <summary>Each replica's totals at their maximum: commutative, associative and idempotent.</summary>
    public PNCounter Merge(PNCounter other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._entries.IsEmpty || ReferenceEquals(this, other))
        {
            return this;
        }

        if (_entries.IsEmpty)
        {
            return other;
        }

        var merged = ImmutableArray.CreateBuilder<(ReplicaId, ulong, ulong)>(_entries.Length + other._entries.Length);
        int i = 0, j = 0;
        while (i < _entries.Length || j < other._entries.Length)
        {
            var order = i == _entries.Length ? 1 : j == other._entries.Length ? -1 : _entries[i].Replica.CompareTo(other._entries[j].Replica);
            if (order < 0)
            {
                merged.Add(_entries[i++]);
            }
            else if (order > 0)
            {
                merged.Add(other._entries[j++]);
            }
            else
            {
                var (mine, theirs) = (_entries[i++], other._entries[j++]);
                merged.Add((mine.Replica, Math.Max(mine.Increments, theirs.Increments), Math.Max(mine.Decrements, theirs.Decrements)));
            }
        }

        return new PNCounter(merged.ToImmutable());
    }

    public bool Equals(PNCounter? other) => other is not null && _entries.AsSpan().SequenceEqual(other._entries.AsSpan());

    public override bool Equals(object? obj) => Equals(obj as PNCounter);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var entry in _entries)
        {
            hash.Add(entry);
        }

        return hash.ToHashCode();
    }

    public override string ToString() =>
        $"{Value} [" + string.Join(", ", _entries.Select(entry => $"{entry.Replica}: +{entry.Increments} -{entry.Decrements}")) + "]";

    /// <summary>The replica's index, or the bitwise complement of where it would be inserted.</summary>
    private int IndexOf(ReplicaId replica)
    {
        int low = 0, high = _entries.Length - 1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            var order = _entries[middle].Replica.CompareTo(replica);
            if (order == 0)
            {
                return middle;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return ~low;
    }
}
