using System.Collections.Immutable;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Membership;

/// <summary>Who observes whom as unreachable: one row per observer, each with the observer's own version.</summary>
/// <remarks>
/// Only an observer changes its row, bumping the row's version each time, so merging two tables keeps, per observer,
/// the row with the higher version (rows of equal version are equal in any real history; a union keeps the merge a
/// semilattice even for made-up inputs). A subject is unreachable while any counted observer has it in its row, and
/// reachable again once every such observer has taken it out — so one flaky monitor is enough to raise suspicion,
/// and the cluster acts on it only through the split-brain resolver, after it has been stable a while.
/// </remarks>
public sealed class Reachability : IEquatable<Reachability>
{
    public static readonly Reachability Empty = new(ImmutableSortedDictionary<UniqueAddress, Row>.Empty);

    private readonly ImmutableSortedDictionary<UniqueAddress, Row> _rows;

    private Reachability(ImmutableSortedDictionary<UniqueAddress, Row> rows) => _rows = rows;

    /// <summary>Rebuilds a table from its rows, as the wire format carries them: per observer, the row's version (at
    /// least 1: every row was made by a change) and the subjects it reports unreachable (possibly none).</summary>
    /// <exception cref="ArgumentException">Two rows have the same observer, or a version is not positive.</exception>
    internal static Reachability FromRows(IEnumerable<(UniqueAddress Observer, long Version, IEnumerable<UniqueAddress> Unreachable)> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var builder = ImmutableSortedDictionary.CreateBuilder<UniqueAddress, Row>();
        foreach (var (observer, version, unreachable) in rows)
        {
            ArgumentNullException.ThrowIfNull(observer);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
            if (builder.ContainsKey(observer))
            {
                throw new ArgumentException($"Observer {observer} has two reachability rows.", nameof(rows));
            }

            builder.Add(observer, new Row(version, ImmutableSortedSet.CreateRange(unreachable)));
        }

        return builder.Count == 0 ? Empty : new Reachability(builder.ToImmutable());
    }

    /// <summary>Every (observer, subject) pair currently recorded unreachable.</summary>
    public IEnumerable<(UniqueAddress Observer, UniqueAddress Subject)> Records =>
        _rows.SelectMany(row => row.Value.Unreachable.Select(subject => (row.Key, subject)));

    /// <summary>Observers that have a row (possibly empty: everything they watch is reachable again).</summary>
    public IEnumerable<UniqueAddress> Observers => _rows.Keys;

    public bool IsEmpty => _rows.Values.All(row => row.Unreachable.IsEmpty);

    /// <summary>The version of <paramref name="observer"/>'s row; 0 if it never reported.</summary>
    public long VersionOf(UniqueAddress observer) => _rows.TryGetValue(observer, out var row) ? row.Version : 0;

    /// <summary>Subjects that <paramref name="observer"/> reports unreachable.</summary>
    public ImmutableSortedSet<UniqueAddress> UnreachableBy(UniqueAddress observer) =>
        _rows.TryGetValue(observer, out var row) ? row.Unreachable : [];

    /// <summary>Subjects some observer accepted by <paramref name="counts"/> reports unreachable.</summary>
    public ImmutableSortedSet<UniqueAddress> UnreachableSubjects(Func<UniqueAddress, bool> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        return [.. _rows.Where(row => counts(row.Key)).SelectMany(row => row.Value.Unreachable)];
    }

    public Reachability MarkUnreachable(UniqueAddress observer, UniqueAddress subject) => Change(observer, subject, unreachable: true);

    public Reachability MarkReachable(UniqueAddress observer, UniqueAddress subject) => Change(observer, subject, unreachable: false);

    /// <summary>Per observer, the newer row.</summary>
    public Reachability Merge(Reachability other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var merged = _rows.ToBuilder();
        foreach (var (observer, theirs) in other._rows)
        {
            if (!merged.TryGetValue(observer, out var mine) || theirs.Version > mine.Version)
            {
                merged[observer] = theirs;
            }
            else if (theirs.Version == mine.Version && !theirs.Equals(mine))
            {
                merged[observer] = new Row(mine.Version, mine.Unreachable.Union(theirs.Unreachable));
            }
        }

        return new Reachability(merged.ToImmutable());
    }

    /// <summary>Forgets <paramref name="nodes"/> as observers and as subjects: they are removed for good.</summary>
    public Reachability Without(IReadOnlyCollection<UniqueAddress> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        if (nodes.Count == 0)
        {
            return this;
        }

        var builder = ImmutableSortedDictionary.CreateBuilder<UniqueAddress, Row>();
        var changed = false;
        foreach (var (observer, row) in _rows)
        {
            if (nodes.Contains(observer))
            {
                changed = true;
                continue;
            }

            var kept = row.Unreachable.Except(nodes);
            changed |= kept.Count != row.Unreachable.Count;
            builder[observer] = kept.Count == row.Unreachable.Count ? row : row with { Unreachable = kept };
        }

        return changed ? new Reachability(builder.ToImmutable()) : this;
    }

    public bool Equals(Reachability? other) =>
        other is not null && _rows.Count == other._rows.Count &&
        _rows.All(row => other._rows.TryGetValue(row.Key, out var theirs) && row.Value.Equals(theirs));

    public override bool Equals(object? obj) => obj is Reachability other && Equals(other);

    public override int GetHashCode() => _rows.Aggregate(_rows.Count, (hash, row) => HashCode.Combine(hash, row.Key, row.Value.Version));

    public override string ToString() =>
        "[" + string.Join(", ", _rows.Select(row => $"{row.Key}@{row.Value.Version}->{{{string.Join(',', row.Value.Unreachable)}}}")) + "]";

    private Reachability Change(UniqueAddress observer, UniqueAddress subject, bool unreachable)
    {
        ArgumentNullException.ThrowIfNull(observer);
        ArgumentNullException.ThrowIfNull(subject);
        var row = _rows.TryGetValue(observer, out var existing) ? existing : new Row(0, []);
        if (row.Unreachable.Contains(subject) == unreachable)
        {
            return this;
        }

        var subjects = unreachable ? row.Unreachable.Add(subject) : row.Unreachable.Remove(subject);
        return new Reachability(_rows.SetItem(observer, new Row(row.Version + 1, subjects)));
    }

    private sealed record Row(long Version, ImmutableSortedSet<UniqueAddress> Unreachable)
    {
        public bool Equals(Row? other) => other is not null && Version == other.Version && Unreachable.SetEquals(other.Unreachable);

        public override int GetHashCode() => HashCode.Combine(Version, Unreachable.Count);
    }
}
