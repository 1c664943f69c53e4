using System.Collections.Immutable;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Membership;

/// <summary>The version vector of a gossip: per incarnation, how many changes it has made to the membership.</summary>
/// <remarks>
/// Only a node increments its own entry, and only when it changes the gossip, so a version names one set of changes:
/// two gossips with the same version hold the same facts, which is why "seen by" can be kept per version. Entries of
/// removed incarnations are pruned with their tombstones (they will never change anything again), or the vector would
/// grow forever as nodes restart.
/// </remarks>
public sealed class GossipVersion : IEquatable<GossipVersion>
{
    public static readonly GossipVersion Empty = new(ImmutableSortedDictionary<UniqueAddress, long>.Empty);

    private GossipVersion(ImmutableSortedDictionary<UniqueAddress, long> entries) => Entries = entries;

    public ImmutableSortedDictionary<UniqueAddress, long> Entries { get; }

    public static GossipVersion Of(IEnumerable<KeyValuePair<UniqueAddress, long>> entries) =>
        new(ImmutableSortedDictionary.CreateRange(entries.Where(entry => entry.Value > 0)));

    public long this[UniqueAddress node] => Entries.TryGetValue(node, out var count) ? count : 0;

    public GossipVersion Increment(UniqueAddress node) => new(Entries.SetItem(node, this[node] + 1));

    /// <summary>The entry-wise maximum: the least version that follows both.</summary>
    public GossipVersion Merge(GossipVersion other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var merged = Entries.ToBuilder();
        foreach (var (node, count) in other.Entries)
        {
            if (!merged.TryGetValue(node, out var mine) || count > mine)
            {
                merged[node] = count;
            }
        }

        return new GossipVersion(merged.ToImmutable());
    }

    /// <summary>Drops the entries of <paramref name="nodes"/>, incarnations that are gone for good.</summary>
    public GossipVersion Prune(IEnumerable<UniqueAddress> nodes)
    {
        var pruned = Entries.RemoveRange(nodes);
        return pruned.Count == Entries.Count ? this : new GossipVersion(pruned);
    }

    public VersionOrder Compare(GossipVersion other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var less = false;
        var greater = false;
        foreach (var node in Entries.Keys.Union(other.Entries.Keys))
        {
            var mine = this[node];
            var theirs = other[node];
            less |= mine < theirs;
            greater |= mine > theirs;
        }

        return (less, greater) switch
        {
            (false, false) => VersionOrder.Same,
            (true, false) => VersionOrder.Before,
            (false, true) => VersionOrder.After,
            _ => VersionOrder.Concurrent,
        };
    }

    public bool Equals(GossipVersion? other) =>
        other is not null && Entries.Count == other.Entries.Count && Entries.All(entry => other[entry.Key] == entry.Value);

    public override bool Equals(object? obj) => obj is GossipVersion other && Equals(other);

    public override int GetHashCode() => Entries.Aggregate(Entries.Count, (hash, entry) => HashCode.Combine(hash, entry.Key, entry.Value));

    public override string ToString() => "{" + string.Join(", ", Entries.Select(entry => $"{entry.Key}={entry.Value}")) + "}";
}
