using System.Collections.Immutable;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Membership;

/// <summary>Decides, on the leader of each side, who is downed once the set of unreachable members has been stable for
/// <c>stable-after</c>; downs everyone if it never becomes stable in time.</summary>
/// <remarks>
/// Every node feeds it its view of the unreachable set on every change, so a node that becomes leader mid-way
/// already knows how long the picture has been stable; only the leader acts on <see cref="Decide"/>. Waiting for a
/// stable picture is what makes the two sides' decisions complementary: by then every detector on both sides has
/// fired and its observation has spread, so each side counts the same two sets. If the picture keeps changing (a
/// flapping link, a cascade of failures), waiting longer would let the sides decide from different pictures at
/// different times, so after <c>stable-after + down-all-when-unstable</c> from the first observation everyone is
/// downed: losing the cluster beats running two. An empty unreachable set resets both clocks.
/// </remarks>
public sealed class SplitBrainResolver
{
    private ImmutableSortedSet<UniqueAddress> _unreachable = [];
    private DateTimeOffset _lastChange;
    private DateTimeOffset? _unstableSince;

    public SplitBrainResolver(IDowningStrategy strategy, TimeSpan stableAfter, TimeSpan? downAllWhenUnstable)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentOutOfRangeException.ThrowIfLessThan(stableAfter, TimeSpan.Zero);
        Strategy = strategy;
        StableAfter = stableAfter;
        DownAllWhenUnstable = downAllWhenUnstable;
    }

    public IDowningStrategy Strategy { get; }

    public TimeSpan StableAfter { get; }

    public TimeSpan? DownAllWhenUnstable { get; }

    /// <summary>The unreachable set last observed.</summary>
    public ImmutableSortedSet<UniqueAddress> Unreachable => _unreachable;

    /// <summary>When the unreachable set first became non-empty after being empty; null while it is empty.</summary>
    public DateTimeOffset? UnstableSince => _unstableSince;

    /// <summary>Feeds the current unreachable set (members not already Down); cheap to call on every change.</summary>
    public void Observe(IEnumerable<UniqueAddress> unreachable, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(unreachable);
        var current = unreachable as ImmutableSortedSet<UniqueAddress> ?? [.. unreachable];
        if (current.SetEquals(_unreachable))
        {
            return;
        }

        _unreachable = current;
        _lastChange = now;
        _unstableSince = current.IsEmpty ? null : _unstableSince ?? now;
    }

    /// <summary>The decision due at <paramref name="now"/> for the leader whose sides are <paramref name="sides"/>, or
    /// null if there is nothing to decide yet. After a decision the clocks restart, so if the downing does not take
    /// effect (its gossip was lost) the leader decides again a stable-after later rather than at once.</summary>
    public DowningDecision? Decide(SplitSides sides, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(sides);
        if (_unreachable.IsEmpty)
        {
            return null;
        }

        DowningDecision? decision = null;
        if (now - _lastChange >= StableAfter)
        {
            decision = Strategy.Decide(sides);
        }
        else if (DownAllWhenUnstable is { } margin && _unstableSince is { } since && now - since >= StableAfter + margin)
        {
            decision = DowningDecision.DownAll;
        }

        if (decision is not null)
        {
            _lastChange = now;
            _unstableSince = now;
        }

        return decision;
    }
}
