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
/// A record may say that the observer's connection to the subject was refused (the subject's process is gone, not just
/// silent): strong evidence that lets the resolver decide sooner. The flag is part of the row, so it travels and merges
/// with it, and it goes when the observer marks the subject reachable again.
/// </remarks>
public sealed class Reachability : IEquatable<Reachability>
{
    public static readonly Reachability Empty = new(ImmutableSortedDictionary<UniqueAddress, Row>.Empty);

    private readonly ImmutableSortedDictionary<UniqueAddress, Row> _rows;

    private Reachability(ImmutableSortedDictionary<UniqueAddress, Row> rows) => _rows = rows;

    /// <summary>Rebuilds a table from its rows, as the wire format carries them: per observer, the row's version (at
    /// least 1: every row was made by a change), the subjects it reports unreachable (possibly none) and those of them
    /// it found unreachable by a refused connection.</summary>
    /// <exception cref="ArgumentException">Two rows have the same observer, a version is not positive, or a refused
    /// subject is not among the row's unreachable ones.</exception>
    internal static Reachability FromRows(
        IEnumerable<(UniqueAddress Observer, long Version, IEnumerable<UniqueAddress> Unreachable, IEnumerable<UniqueAddress> Refused)> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var builder = ImmutableSortedDictionary.CreateBuilder<UniqueAddress, Row>();
        foreach (var (observer, version, unreachable, refused) in rows)
        {
            ArgumentNullException.ThrowIfNull(observer);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
            if (builder.ContainsKey(observer))
            {
                throw new ArgumentException($"Observer {observer} has two reachability rows.", nameof(rows));
            }

            var subjects = ImmutableSortedSet.CreateRange(unreachable);
            var refusedSubjects = ImmutableSortedSet.CreateRange(refused);
            if (!refusedSubjects.IsSubsetOf(subjects))
            {
                throw new ArgumentException($"Observer {observer} reports a refused subject it does not report unreachable.", nameof(rows));
            }

            builder.Add(observer, new Row(version, subjects, refusedSubjects));
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

    /// <summary>Subjects that <paramref name="observer"/> reports unreachable because its connection was refused.</summary>
    public ImmutableSortedSet<UniqueAddress> RefusedBy(UniqueAddress observer) =>
        _rows.TryGetValue(observer, out var row) ? row.Refused : [];

    /// <summary>Subjects some observer accepted by <paramref name="counts"/> reports unreachable.</summary>
    public ImmutableSortedSet<UniqueAddress> UnreachableSubjects(Func<UniqueAddress, bool> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        return [.. _rows.Where(row => counts(row.Key)).SelectMany(row => row.Value.Unreachable)];
    }

    /// <summary>Subjects some observer accepted by <paramref name="counts"/> reports unreachable by a refused connection.</summary>
    public ImmutableSortedSet<UniqueAddress> RefusedSubjects(Func<UniqueAddress, bool> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        return [.. _rows.Where(row => counts(row.Key)).SelectMany(row => row.Value.Refused)];
    }

    /// <summary>Records <paramref name="subject"/> unreachable in <paramref name="observer"/>'s row, with
    /// <paramref name="refused"/> saying whether the evidence is a refused connection; changing only that flag is a
    /// change of the row too.</summary>
    public Reachability MarkUnreachable(UniqueAddress observer, UniqueAddress subject, bool refused = false) =>
        Change(observer, subject, unreachable: true, refused);

    public Reachability MarkReachable(UniqueAddress observer, UniqueAddress subject) => Change(observer, subject, unreachable: false, refused: false);

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
                merged[observer] = new Row(mine.Version, mine.Unreachable.Union(theirs.Unreachable), mine.Refused.Union(theirs.Refused));
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
            builder[observer] = kept.Count == row.Unreachable.Count ? row : row with { Unreachable = kept, Refused = row.Refused.Except(nodes) };
        }

        return changed ? new Reachability(builder.ToImmutable()) : this;
    }

    public bool Equals(Reachability? other) =>
        other is not null && _rows.Count == other._rows.Count &&
        _rows.All(row => other._rows.TryGetValue(row.Key, out var theirs) && row.Value.Equals(theirs));

    public override bool Equals(object? obj) => obj is Reachability other && Equals(other);

    public override int GetHashCode() => _rows.Aggregate(_rows.Count, (hash, row) => HashCode.Combine(hash, row.Key, row.Value.Version));

    public override string ToString() =>
        "[" + string.Join(", ", _rows.Select(row => $"{row.Key}@{row.Value.Version}->{{{row.Value.Subjects}}}")) + "]";

    private Reachability Change(UniqueAddress observer, UniqueAddress subject, bool unreachable, bool refused)
    {
        ArgumentNullException.ThrowIfNull(observer);
        ArgumentNullException.ThrowIfNull(subject);
        var row = _rows.TryGetValue(observer, out var existing) ? existing : new Row(0, [], []);
        if (row.Unreachable.Contains(subject) == unreachable && row.Refused.Contains(subject) == refused)
        {
            return this;
        }

        var subjects = unreachable ? row.Unreachable.Add(subject) : row.Unreachable.Remove(subject);
        var refusedSubjects = refused ? row.Refused.Add(subject) : row.Refused.Remove(subject);
        return new Reachability(_rows.SetItem(observer, new Row(row.Version + 1, subjects, refusedSubjects)));
    }

    /// <summary>One observer's row; <c>Refused</c> is the part of <c>Unreachable</c> found by a refused connection.</summary>
    private sealed record Row(long Version, ImmutableSortedSet<UniqueAddress> Unreachable, ImmutableSortedSet<UniqueAddress> Refused)
    {
        public bool Equals(Row? other) =>
            other is not null && Version == other.Version && Unreachable.SetEquals(other.Unreachable) && Refused.SetEquals(other.Refused);

        public override int GetHashCode() => HashCode.Combine(Version, Unreachable.Count);

        public string Subjects => string.Join(',', Unreachable.Select(subject => Refused.Contains(subject) ? $"{subject}(refused)" : subject.ToString()));
    }
}
