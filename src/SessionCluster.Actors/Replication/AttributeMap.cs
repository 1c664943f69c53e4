using System.Collections.Immutable;
using System.Runtime.CompilerServices;

namespace SessionCluster.Actors.Replication;

/// <summary>A session's replicated attributes: name → <see cref="AttributeEntry"/>, with values, tombstones and
/// increments that merge without losing an acknowledged write.</summary>
/// <remarks>
/// <para><b>Semantics.</b> Set and Remove are last-writer-wins by hybrid logical timestamp, per name. Each writes a new
/// base for the name, so it supersedes every increment made on an older base, including increments concurrent with
/// it: "set x = 5" on one side of a partition and "x += 1" on the other give 5 if the Set's timestamp is later (and 6
/// if the increment was made after merging the Set, since it then applies to the Set's base). Increments on one base
/// from any number of replicas all count (PN-counter). Incrementing a name that has no entry starts counting from 0 on
/// an implicit tombstone stamped <see cref="Floor"/>, which every replica without a collected history shares, so two
/// sides that both start a counter keep both sides' increments; an existing tombstone is counted on as 0.</para>
/// <para><b>Garbage collection.</b> A tombstone must outlive every older write that might still arrive, or that write
/// would come back. <see cref="CollectGarbage"/> takes a <i>stable</i> timestamp: one before which every replica of
/// the session has integrated every write, and which every replica's clock has passed, so that no write will ever be
/// stamped before it (the replicator learns it from acknowledgements: it is the least, over the replicas, of the
/// timestamp up to which each holds the writer's deltas without gaps; a replica's clock has observed those deltas, so
/// it is past that timestamp). It drops bare tombstones
/// stamped before it and raises <see cref="Floor"/> to it. Merges then drop an entry that only one side holds when
/// every write in it (<see cref="AttributeEntry.LastWrite"/>) is older than the other side's floor: the other side has
/// integrated those writes, so if it holds nothing for the name, a newer write superseded them and was collected.
/// That is why collecting never resurrects a value when merging with a replica that acknowledged, nor when a stale
/// delta is delivered late or twice. A write stamped after the floor is always kept: after its writer had integrated
/// the collected tombstone it is a newer write, and (only with two writers at once) a write racing the collected
/// tombstone survives as if made after it; replicas still converge. Floors spread by full-state merges (deltas carry
/// none), and a merge result drops the bare tombstones below its floor, so all replicas end up collected. Writers
/// whose floors differ start counters on different implicit bases; with two writers at once, their concurrent first
/// increments of the same absent name then keep only the later base's: the price of collecting at all.</para>
/// <para><b>Order and size.</b> Entries are kept in an array sorted by ordinal name, copied on write (sessions hold
/// few attributes, and an array costs less per session than a tree); the visible snapshot lists attributes in that
/// order, the only order every replica can agree on without coordination (a first-set order would differ between
/// replicas that saw concurrent first sets in different orders). <see cref="SizeInBytes"/> counts UTF-8 name bytes
/// plus visible value bytes.</para>
/// </remarks>
public sealed class AttributeMap : IEquatable<AttributeMap>
{
    public static readonly AttributeMap Empty = new(ImmutableArray<AttributeEntry>.Empty, HlcTimestamp.Zero);

    private readonly ImmutableArray<AttributeEntry> _entries;

    // Null for a floor of zero, which most maps keep all their life: a reference costs a session 8 bytes, the timestamp 24.
    private readonly StrongBox<HlcTimestamp>? _floor;

    private AttributeMap(ImmutableArray<AttributeEntry> entries, HlcTimestamp floor)
    {
        _entries = entries;
        _floor = floor == HlcTimestamp.Zero ? null : new StrongBox<HlcTimestamp>(floor);
    }

    /// <summary>Every entry, tombstones included, in ordinal name order.</summary>
    public ImmutableArray<AttributeEntry> Entries => _entries;

    /// <summary>Before this timestamp every replica has integrated every write and tombstones have been collected.</summary>
    public HlcTimestamp Floor => _floor?.Value ?? HlcTimestamp.Zero;

    /// <summary>How many attributes a reader sees.</summary>
    /// <remarks>Counted on each call rather than cached: a write reads it once, and a cache would cost every session
    /// 8 bytes.</remarks>
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var entry in _entries)
            {
                count += entry.VisibleValue is null ? 0 : 1;
            }

            return count;
        }
    }

    /// <summary>UTF-8 bytes of the visible attributes' names and values: the measure of <c>max-session-bytes</c>,
    /// counted on each call as <see cref="Count"/> is.</summary>
    public int SizeInBytes
    {
        get
        {
            var size = 0;
            foreach (var entry in _entries)
            {
                size += entry.SizeInBytes;
            }

            return size;
        }
    }

    /// <summary>How many entries are kept only to beat older writes.</summary>
    public int TombstoneCount => _entries.Count(entry => entry.IsTombstone);

    /// <summary>The latest timestamp this map holds: its floor or an entry's <see cref="AttributeEntry.LastWrite"/>. A
    /// writer whose clock has observed it stamps writes that beat everything here and are never below the floor.</summary>
    public HlcTimestamp NewestTimestamp
    {
        get
        {
            var newest = Floor;
            foreach (var entry in _entries)
            {
                newest = HlcTimestamp.Max(newest, entry.LastWrite);
            }

            return newest;
        }
    }

    /// <summary>A map holding <paramref name="entries"/> (as decoded from the wire); each name at most once.</summary>
    public static AttributeMap Of(IEnumerable<AttributeEntry> entries, HlcTimestamp floor)
    {
        var sorted = entries.OrderBy(entry => entry.Name, StringComparer.Ordinal).ToImmutableArray();
        for (var i = 1; i < sorted.Length; i++)
        {
            if (string.Equals(sorted[i].Name, sorted[i - 1].Name, StringComparison.Ordinal))
            {
                throw new ArgumentException($"The attribute '{sorted[i].Name}' appears twice.", nameof(entries));
            }
        }

        return new AttributeMap(sorted, floor);
    }

    public AttributeEntry? Find(string name)
    {
        var index = IndexOf(name);
        return index >= 0 ? _entries[index] : null;
    }

    /// <summary>The visible value of <paramref name="name"/>, or null if it has none.</summary>
    public byte[]? Get(string name) => Find(name)?.VisibleValue;

    /// <summary>The visible attributes in ordinal name order.</summary>
    public IReadOnlyList<KeyValuePair<string, byte[]>> Visible()
    {
        var visible = new List<KeyValuePair<string, byte[]>>(_entries.Length);
        foreach (var entry in _entries)
        {
            if (entry.VisibleValue is { } value)
            {
                visible.Add(new(entry.Name, value));
            }
        }

        return visible;
    }

    /// <summary>Writes <paramref name="jsonValue"/> (compact JSON, not checked here) at <paramref name="timestamp"/>.</summary>
    /// <returns>The new map and the delta: that one entry.</returns>
    public (AttributeMap State, AttributeMap Delta) Set(string name, byte[] jsonValue, HlcTimestamp timestamp)
    {
        ArgumentNullException.ThrowIfNull(jsonValue);
        return Write(new AttributeEntry(name, jsonValue, timestamp, PNCounter.Empty, timestamp), timestamp);
    }

    /// <summary>Removes <paramref name="name"/> at <paramref name="timestamp"/>, leaving a tombstone (even if this replica
    /// holds no value: another may, set concurrently before the removal).</summary>
    public (AttributeMap State, AttributeMap Delta) Remove(string name, HlcTimestamp timestamp) =>
        Write(new AttributeEntry(name, null, timestamp, PNCounter.Empty, timestamp), timestamp);

    /// <summary>Adds <paramref name="by"/> to the integer value of <paramref name="name"/> on behalf of
    /// <paramref name="replica"/>, at <paramref name="timestamp"/> (absent or removed counts as 0).</summary>
    /// <returns>The new map, the delta (the entry's base and this replica's new totals) and the new visible value; or,
    /// with a rejection, this map unchanged and an empty delta.</returns>
    public (AttributeMap State, AttributeMap Delta, long Value, IncrementRejection? Rejection) Increment(
        string name, long by, ReplicaId replica, HlcTimestamp timestamp)
    {
        var entry = Find(name) ?? new AttributeEntry(name, null, Floor, PNCounter.Empty, Floor);
        if (!entry.TryReadInteger(out var current))
        {
            return (this, Empty, 0, IncrementRejection.NotAnInteger);
        }

        var next = current + by;
        if (next > long.MaxValue || next < long.MinValue)
        {
            return (this, Empty, 0, IncrementRejection.Overflow);
        }

        PNCounter totals;
        try
        {
            (_, totals) = entry.Increments.Increment(replica, by);
        }
        catch (OverflowException)
        {
            return (this, Empty, 0, IncrementRejection.Overflow);
        }

        // The entry's own name string, not the caller's: what else refers to the name (a record of the increment) then
        // shares one copy of it.
        var (state, delta) = Write(new AttributeEntry(entry.Name, entry.BaseValue, entry.BaseTimestamp, totals, timestamp), timestamp);
        return (state, delta, (long)next, null);
    }

    /// <summary>The join of two maps: per name, <see cref="AttributeEntry.Merge"/>; an entry on one side only is kept
    /// unless all its writes are older than the other side's floor; the floor is the later one.</summary>
    public AttributeMap Merge(AttributeMap other)
    {
        ArgumentNullException.ThrowIfNull(other);
        // Only an empty map without a floor is neutral: a floor drops this side's stale entries.
        if (ReferenceEquals(this, other) || (other._entries.IsEmpty && other.Floor == HlcTimestamp.Zero))
        {
            return this;
        }

        var floor = HlcTimestamp.Max(Floor, other.Floor);
        var merged = ImmutableArray.CreateBuilder<AttributeEntry>(_entries.Length + other._entries.Length);
        int i = 0, j = 0;
        while (i < _entries.Length || j < other._entries.Length)
        {
            var order = i == _entries.Length ? 1
                : j == other._entries.Length ? -1
                : string.CompareOrdinal(_entries[i].Name, other._entries[j].Name);
            var entry = order < 0 ? (_entries[i++] is var mine && mine.LastWrite >= other.Floor ? mine : null)
                : order > 0 ? (other._entries[j++] is var theirs && theirs.LastWrite >= Floor ? theirs : null)
                : AttributeEntry.Merge(_entries[i++], other._entries[j++]);
            // Tombstones under the floor go as they arrive: the floor says every replica has integrated them.
            if (entry is not null && !(entry.IsTombstone && entry.BaseTimestamp < floor))
            {
                merged.Add(entry);
            }
        }

        return new AttributeMap(merged.ToImmutable(), floor);
    }

    /// <summary>Drops the tombstones stamped before <paramref name="stable"/> and raises <see cref="Floor"/> to it.</summary>
    /// <param name="stable">Every replica of this map has integrated every write stamped before it, and no replica will
    /// stamp a write before it: see the remarks. A later timestamp risks resurrecting removed values; an earlier one is
    /// merely less thorough.</param>
    public AttributeMap CollectGarbage(HlcTimestamp stable)
    {
        if (stable <= Floor)
        {
            return this;
        }

        return new AttributeMap(_entries.RemoveAll(entry => entry.IsTombstone && entry.BaseTimestamp < stable), stable);
    }

    public bool Equals(AttributeMap? other) =>
        other is not null && Floor == other.Floor && _entries.SequenceEqual(other._entries);

    public override bool Equals(object? obj) => Equals(obj as AttributeMap);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Floor);
        foreach (var entry in _entries)
        {
            hash.Add(entry);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => $"floor {Floor}: " + string.Join("; ", _entries);

    /// <summary>This map merged with a one-entry delta, and the delta.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The write is stamped before <see cref="Floor"/>: every replica would
    /// take it for a stale write and drop it. The writer's clock has not observed this map (or the floor was chosen
    /// wrongly); failing loudly beats losing the write.</exception>
    private (AttributeMap State, AttributeMap Delta) Write(AttributeEntry entry, HlcTimestamp timestamp)
    {
        if (timestamp < Floor)
        {
            throw new ArgumentOutOfRangeException(
                nameof(timestamp), $"A write to '{entry.Name}' stamped {timestamp} is before the garbage-collection floor {Floor}.");
        }

        var delta = new AttributeMap([entry], HlcTimestamp.Zero);
        return (Merge(delta), delta);
    }

    private int IndexOf(string name)
    {
        int low = 0, high = _entries.Length - 1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            var order = string.CompareOrdinal(_entries[middle].Name, name);
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
