using System.Collections.Immutable;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Membership;

/// <summary>The membership state nodes gossip: members, tombstones of removed incarnations, reachability, a version
/// vector and the set of nodes that have seen this version.</summary>
/// <remarks>
/// Immutable. <see cref="Merge"/> is a semilattice join (commutative, associative, idempotent) so gossip can arrive
/// late, twice or out of order and every node still ends at the same state:
/// members are united per incarnation with <see cref="Member.Merge"/> (the later status wins); tombstones are united
/// and keep the later removal time, and a tombstoned incarnation is dropped from members, reachability and "seen by"
/// (so a stale gossip can never bring a removed member back); reachability keeps the newer row per observer; the
/// version is the entry-wise maximum; "seen by" is the union of the seen sets of the inputs whose version equals
/// the merged one (a merge that produced a new combination has been seen by nobody yet). Version entries of removed
/// incarnations go when their tombstones are pruned.
/// Views that depend on the observer (leader, convergence) take the observer's address: a node always counts itself
/// reachable.
/// </remarks>
public sealed class Gossip : IEquatable<Gossip>
{
    public static readonly Gossip Empty = new(
        ImmutableSortedDictionary<UniqueAddress, Member>.Empty,
        ImmutableSortedDictionary<UniqueAddress, DateTimeOffset>.Empty,
        Reachability.Empty,
        GossipVersion.Empty,
        []);

    private ImmutableSortedSet<UniqueAddress>? _unreachable;
    private ImmutableSortedSet<UniqueAddress>? _refused;

    public Gossip(
        ImmutableSortedDictionary<UniqueAddress, Member> members,
        ImmutableSortedDictionary<UniqueAddress, DateTimeOffset> tombstones,
        Reachability reachability,
        GossipVersion version,
        ImmutableSortedSet<UniqueAddress> seenBy)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(tombstones);
        ArgumentNullException.ThrowIfNull(reachability);
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(seenBy);

        // Normalised on construction, so every gossip obeys "a tombstone beats everything" however it was built, and
        // the version only names incarnations the gossip knows (members and tombstones): an entry of a tombstoned
        // incarnation stays until the tombstone itself is pruned, which keeps the version a plain entry-wise maximum
        // under merge (pruning it at removal time would make merge order matter for "seen by").
        var removed = tombstones.Count == 0 ? [] : tombstones.Keys.Where(node => members.ContainsKey(node) || seenBy.Contains(node)).ToList();
        var unknown = version.Entries.Keys.Where(node => !members.ContainsKey(node) && !tombstones.ContainsKey(node)).ToList();
        Members = removed.Count == 0 ? members : members.RemoveRange(removed);
        Tombstones = tombstones;
        Reachability = tombstones.Count == 0 ? reachability : reachability.Without(tombstones.Keys.ToList());
        Version = unknown.Count == 0 ? version : version.Prune(unknown);
        SeenBy = removed.Count == 0 ? seenBy : seenBy.Except(removed);
    }

    /// <summary>Current members by incarnation, in address order (the order leader election uses).</summary>
    public ImmutableSortedDictionary<UniqueAddress, Member> Members { get; }

    /// <summary>Removed incarnations and when they were removed; kept so stale gossip cannot resurrect them.</summary>
    public ImmutableSortedDictionary<UniqueAddress, DateTimeOffset> Tombstones { get; }

    public Reachability Reachability { get; }

    public GossipVersion Version { get; }

    /// <summary>Nodes known to hold exactly <see cref="Version"/>.</summary>
    public ImmutableSortedSet<UniqueAddress> SeenBy { get; }

    public Member? MemberOf(UniqueAddress node) => Members.TryGetValue(node, out var member) ? member : null;

    /// <summary>The current incarnation at <paramref name="address"/>, if any.</summary>
    public Member? MemberAt(NodeAddress address) => Members.Values.FirstOrDefault(member => member.Address.Equals(address));

    public bool HasMember(UniqueAddress node) => Members.ContainsKey(node);

    public bool IsTombstoned(UniqueAddress node) => Tombstones.ContainsKey(node);

    public bool HasSeen(UniqueAddress node) => SeenBy.Contains(node);

    /// <summary>Members reported unreachable by some observer that still counts: observers that are Down or Exiting
    /// are going away and their opinions no longer matter (as in Akka).</summary>
    public ImmutableSortedSet<UniqueAddress> Unreachable => _unreachable ??=
        Reachability.UnreachableSubjects(CountsAsObserver).Where(HasMember).ToImmutableSortedSet();

    /// <summary>The members of <see cref="Unreachable"/> that some counting observer found unreachable by a refused
    /// connection: their process is gone, not merely silent. One such observer is enough: a refusal comes from the
    /// subject's own host, whatever other observers, cut off from it, may see.</summary>
    public ImmutableSortedSet<UniqueAddress> RefusedUnreachable => _refused ??=
        Reachability.RefusedSubjects(CountsAsObserver).Where(HasMember).ToImmutableSortedSet();

    /// <summary>True if <paramref name="node"/> counts as reachable from <paramref name="self"/>'s view.</summary>
    public bool IsReachable(UniqueAddress node, UniqueAddress self) => node.Equals(self) || !Unreachable.Contains(node);

    /// <summary>Joins two gossips; see the type remarks for the rules.</summary>
    public Gossip Merge(Gossip other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(this, other))
        {
            return this;
        }

        var tombstones = Tombstones.ToBuilder();
        foreach (var (node, at) in other.Tombstones)
        {
            if (!tombstones.TryGetValue(node, out var mine) || at > mine)
            {
                tombstones[node] = at;
            }
        }

        var members = Members.ToBuilder();
        foreach (var (node, theirs) in other.Members)
        {
            members[node] = members.TryGetValue(node, out var mine) ? Member.Merge(mine, theirs) : theirs;
        }

        var version = Version.Merge(other.Version);
        var seen = ImmutableSortedSet<UniqueAddress>.Empty;
        if (Version.Equals(version))
        {
            seen = seen.Union(SeenBy);
        }

        if (other.Version.Equals(version))
        {
            seen = seen.Union(other.SeenBy);
        }

        return new Gossip(members.ToImmutable(), tombstones.ToImmutable(), Reachability.Merge(other.Reachability), version, seen);
    }

    /// <summary>Records that <paramref name="node"/> holds this version.</summary>
    public Gossip Seen(UniqueAddress node) =>
        SeenBy.Contains(node) ? this : new Gossip(Members, Tombstones, Reachability, Version, SeenBy.Add(node));

    /// <summary>Marks a change made by <paramref name="node"/>: its version entry goes up and only it has seen the result.</summary>
    public Gossip ChangedBy(UniqueAddress node) => new(Members, Tombstones, Reachability, Version.Increment(node), [node]);

    /// <summary>Adds or replaces a member (the caller marks the change with <see cref="ChangedBy"/>).</summary>
    public Gossip WithMember(Member member)
    {
        ArgumentNullException.ThrowIfNull(member);
        return new Gossip(Members.SetItem(member.UniqueAddress, member), Tombstones, Reachability, Version, SeenBy);
    }

    public Gossip WithReachability(Reachability reachability) => new(Members, Tombstones, reachability, Version, SeenBy);

    /// <summary>Removes an incarnation for good, leaving a tombstone stamped <paramref name="at"/>.</summary>
    public Gossip Remove(UniqueAddress node, DateTimeOffset at) =>
        new(Members, Tombstones.SetItem(node, at), Reachability, Version, SeenBy);

    /// <summary>Forgets tombstones older than <paramref name="before"/>: by then no gossip that still holds those
    /// incarnations is in flight, and the set must not grow without bound as nodes restart.</summary>
    public Gossip PruneTombstones(DateTimeOffset before)
    {
        var old = Tombstones.Where(entry => entry.Value < before).Select(entry => entry.Key).ToList();
        return old.Count == 0 ? this : new Gossip(Members, Tombstones.RemoveRange(old), Reachability, Version, SeenBy);
    }

    /// <summary>
    /// True if every Up or Leaving member has seen this version and every unreachable member (other than
    /// <paramref name="self"/>) is Down or Exiting: only then may the leader change statuses, because only then do all
    /// members that count decide from the same facts.
    /// </summary>
    public bool IsConverged(UniqueAddress self)
    {
        foreach (var node in Unreachable)
        {
            if (!node.Equals(self) && Members[node].Status is not (MemberStatus.Down or MemberStatus.Exiting))
            {
                return false;
            }
        }

        return Members.Values.All(member => member.Status is not (MemberStatus.Up or MemberStatus.Leaving) || SeenBy.Contains(member.UniqueAddress));
    }

    /// <summary>The leader in <paramref name="self"/>'s view: the first member in address order that is reachable
    /// and Up or Leaving; failing that the first Joining one (a new cluster), then the first Exiting one (the last
    /// node leaving removes itself). Null if there is none.</summary>
    public UniqueAddress? Leader(UniqueAddress self)
    {
        Member? joining = null;
        Member? exiting = null;
        var unreachable = Unreachable;
        foreach (var member in Members.Values)
        {
            if (!member.UniqueAddress.Equals(self) && unreachable.Contains(member.UniqueAddress))
            {
                continue;
            }

            switch (member.Status)
            {
                case MemberStatus.Up or MemberStatus.Leaving:
                    return member.UniqueAddress;
                case MemberStatus.Joining:
                    joining ??= member;
                    break;
                case MemberStatus.Exiting:
                    exiting ??= member;
                    break;
            }
        }

        return (joining ?? exiting)?.UniqueAddress;
    }

    /// <summary>The oldest Up or Leaving member (smallest up-number), optionally only among those with
    /// <paramref name="role"/>: where singletons live.</summary>
    public Member? Oldest(string? role = null)
    {
        Member? oldest = null;
        foreach (var member in Members.Values)
        {
            if (member.Status is MemberStatus.Up or MemberStatus.Leaving && (string.IsNullOrEmpty(role) || member.HasRole(role)) &&
                (oldest is null || member.IsOlderThan(oldest)))
            {
                oldest = member;
            }
        }

        return oldest;
    }

    public bool Equals(Gossip? other) =>
        other is not null &&
        Members.Count == other.Members.Count && Members.All(entry => entry.Value.Equals(other.MemberOf(entry.Key))) &&
        Tombstones.Count == other.Tombstones.Count &&
        Tombstones.All(entry => other.Tombstones.TryGetValue(entry.Key, out var at) && at == entry.Value) &&
        Reachability.Equals(other.Reachability) && Version.Equals(other.Version) && SeenBy.SetEquals(other.SeenBy);

    public override bool Equals(object? obj) => obj is Gossip other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Members.Count, Tombstones.Count, Version, SeenBy.Count);

    public override string ToString() =>
        $"Gossip(v{Version}, members: [{string.Join("; ", Members.Values)}], unreachable: {Reachability}, " +
        $"seen: [{string.Join(", ", SeenBy)}], tombstones: [{string.Join(", ", Tombstones.Keys)}])";

    private bool CountsAsObserver(UniqueAddress observer) => MemberOf(observer)?.Status is not (null or MemberStatus.Down or MemberStatus.Exiting);
}
