using System.Collections.Immutable;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Membership;

/// <summary>One incarnation of a node in the membership: its status, roles, route name and age.</summary>
/// <remarks>
/// Immutable. <see cref="UpNumber"/> is 0 until the leader moves the member Up, then a number greater than every
/// other member's at that moment, so "oldest" (smallest up-number, address as tie-breaker) is the same on every node
/// once they agree on the gossip; singletons later live on the oldest member of a role.
/// </remarks>
public sealed class Member : IEquatable<Member>
{
    public Member(UniqueAddress uniqueAddress, MemberStatus status, IEnumerable<string> roles, int upNumber = 0, string route = "")
    {
        ArgumentNullException.ThrowIfNull(uniqueAddress);
        ArgumentNullException.ThrowIfNull(roles);
        ArgumentNullException.ThrowIfNull(route);
        ArgumentOutOfRangeException.ThrowIfNegative(upNumber);
        UniqueAddress = uniqueAddress;
        Status = status;
        Roles = roles as ImmutableSortedSet<string> ?? ImmutableSortedSet.CreateRange(StringComparer.Ordinal, roles);
        UpNumber = upNumber;
        Route = route;
    }

    public UniqueAddress UniqueAddress { get; }

    public NodeAddress Address => UniqueAddress.Address;

    public MemberStatus Status { get; }

    /// <summary>What the node does (worker, front, lighthouse); fixed for an incarnation.</summary>
    public ImmutableSortedSet<string> Roles { get; }

    /// <summary>Order in which members became Up (1 = first); 0 while Joining.</summary>
    public int UpNumber { get; }

    /// <summary>The node's route name (<c>node.route</c>, e.g. <c>w1</c>), so operators see the names they started nodes
    /// with; empty for a node without one (the Lighthouse). Fixed for an incarnation.</summary>
    public string Route { get; }

    public bool HasRole(string role) => Roles.Contains(role);

    /// <summary>The same member with a new status; throws if <see cref="MemberLifecycle"/> forbids the move.</summary>
    public Member WithStatus(MemberStatus status) =>
        status == Status ? this : new Member(UniqueAddress, MemberLifecycle.Move(Status, status), Roles, UpNumber, Route);

    /// <summary>Moves a Joining member Up with its age.</summary>
    public Member MovedUp(int upNumber)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(upNumber, 1);
        return new Member(UniqueAddress, MemberLifecycle.Move(Status, MemberStatus.Up), Roles, upNumber, Route);
    }

    /// <summary>True if this member became Up before <paramref name="other"/> (address breaks ties, which only
    /// happen when two partitioned leaders numbered members independently).</summary>
    public bool IsOlderThan(Member other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var mine = UpNumber == 0 ? int.MaxValue : UpNumber;
        var theirs = other.UpNumber == 0 ? int.MaxValue : other.UpNumber;
        return mine != theirs ? mine < theirs : UniqueAddress.CompareTo(other.UniqueAddress) < 0;
    }

    /// <summary>Combines two views of the same incarnation: the later status, the smallest non-zero up-number, the
    /// union of roles, the ordinally greater route (one incarnation has one, so they only differ if one is empty). Each
    /// part is a semilattice, so the merge is commutative, associative and idempotent.</summary>
    public static Member Merge(Member a, Member b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (!a.UniqueAddress.Equals(b.UniqueAddress))
        {
            throw new ArgumentException($"Cannot merge different members {a.UniqueAddress} and {b.UniqueAddress}.", nameof(b));
        }

        if (a.Equals(b))
        {
            return a;
        }

        var upNumber = a.UpNumber == 0 ? b.UpNumber : b.UpNumber == 0 ? a.UpNumber : Math.Min(a.UpNumber, b.UpNumber);
        var route = string.CompareOrdinal(a.Route, b.Route) >= 0 ? a.Route : b.Route;
        return new Member(a.UniqueAddress, MemberLifecycle.HigherOf(a.Status, b.Status), a.Roles.Union(b.Roles), upNumber, route);
    }

    public bool Equals(Member? other) =>
        other is not null && UniqueAddress.Equals(other.UniqueAddress) && Status == other.Status && UpNumber == other.UpNumber &&
        Roles.SetEquals(other.Roles) && Route == other.Route;

    public override bool Equals(object? obj) => obj is Member other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(UniqueAddress, Status, UpNumber, Roles.Count);

    public override string ToString() =>
        $"{UniqueAddress} {Status}{(UpNumber > 0 ? $" up#{UpNumber}" : string.Empty)}{(Roles.Count > 0 ? $" [{string.Join(',', Roles)}]" : string.Empty)}{(Route.Length > 0 ? $" ({Route})" : string.Empty)}";
}
