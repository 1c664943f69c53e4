using System.Collections.Immutable;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Membership;

/// <summary>Decides, on the leader of each side, who is downed once the set of unreachable members has been stable for
/// <c>stable-after</c> (or the shorter <c>stable-after-refused</c> when all of them are known dead); downs everyone
/// if it never becomes stable in time.</summary>
/// <remarks>
/// Every node feeds it its view of the unreachable set on every change, so a node that becomes leader mid-way
/// already knows how long the picture has been stable; only the leader acts on <see cref="Decide"/>. Waiting for a
/// stable picture is what makes the two sides' decisions complementary: by then every detector on both sides has
/// fired and its observation has spread, so each side counts the same two sets. If the picture keeps changing (a
/// flapping link, a cascade of failures), waiting longer would let the sides decide from different pictures at
/// different times, so after <c>stable-after + down-all-when-unstable</c> from the first observation everyone is
/// downed: losing the cluster beats running two. An empty unreachable set resets both clocks.
/// When every unreachable member was found unreachable by a refused connection, its process is gone: there is no
/// other side that decides, so no second picture to wait for, and <see cref="StableAfterRefused"/> applies instead.
/// One silent member among them (possibly a partition) brings back the full <see cref="StableAfter"/>. Refusal
/// evidence that arrives for a member already unreachable does not restart the clock (the set did not change, only
/// what is known about it); evidence that goes (the member answered) does, since the picture was not what it seemed.
/// </remarks>
public sealed class SplitBrainResolver
{
    private ImmutableSortedSet<UniqueAddress> _unreachable = [];
    private ImmutableSortedSet<UniqueAddress> _refused = [];
    private DateTimeOffset _lastChange;
    private DateTimeOffset? _unstableSince;

    /// <param name="strategy">Who goes down once a decision is due.</param>
    /// <param name="stableAfter">How long the unreachable set must stay unchanged before a decision.</param>
    /// <param name="downAllWhenUnstable">See <see cref="DownAllWhenUnstable"/>; null = never.</param>
    /// <param name="stableAfterRefused">The wait when every unreachable member was refused, 0 to
    /// <paramref name="stableAfter"/>; null = no shorter wait.</param>
    public SplitBrainResolver(IDowningStrategy strategy, TimeSpan stableAfter, TimeSpan? downAllWhenUnstable, TimeSpan? stableAfterRefused = null)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentOutOfRangeException.ThrowIfLessThan(stableAfter, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(stableAfterRefused ?? stableAfter, TimeSpan.Zero, nameof(stableAfterRefused));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(stableAfterRefused ?? stableAfter, stableAfter, nameof(stableAfterRefused));
        Strategy = strategy;
        StableAfter = stableAfter;
        DownAllWhenUnstable = downAllWhenUnstable;
        StableAfterRefused = stableAfterRefused ?? stableAfter;
    }

    public IDowningStrategy Strategy { get; }

    public TimeSpan StableAfter { get; }

    public TimeSpan? DownAllWhenUnstable { get; }

    /// <summary>The stable window when every unreachable member was found unreachable by a refused connection.</summary>
    public TimeSpan StableAfterRefused { get; }

    /// <summary>The stable window that applies to the set now: <see cref="StableAfterRefused"/> if every unreachable
    /// member was refused, else <see cref="StableAfter"/>.</summary>
    public TimeSpan Window => !_unreachable.IsEmpty && _unreachable.IsSubsetOf(_refused) ? StableAfterRefused : StableAfter;

    /// <summary>The unreachable set last observed.</summary>
    public ImmutableSortedSet<UniqueAddress> Unreachable => _unreachable;

    /// <summary>When the unreachable set first became non-empty after being empty; null while it is empty.</summary>
    public DateTimeOffset? UnstableSince => _unstableSince;

    /// <summary>Feeds the current unreachable set (members not already Down), none of them known dead.</summary>
    public void Observe(IEnumerable<UniqueAddress> unreachable, DateTimeOffset now) => Observe(unreachable, [], now);

    /// <summary>Feeds the current unreachable set (members not already Down) and those of them found unreachable by a
    /// refused connection; cheap to call on every change.</summary>
    public void Observe(IEnumerable<UniqueAddress> unreachable, IEnumerable<UniqueAddress> refused, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(unreachable);
        ArgumentNullException.ThrowIfNull(refused);
        var current = unreachable as ImmutableSortedSet<UniqueAddress> ?? [.. unreachable];
        var currentRefused = ImmutableSortedSet.CreateRange(refused.Where(current.Contains));
        var evidenceLost = _refused.Any(node => current.Contains(node) && !currentRefused.Contains(node));
        _refused = currentRefused;
        if (current.SetEquals(_unreachable) && !evidenceLost)
        {
            return;
        }

        _unreachable = current;
        _lastChange = now;
        _unstableSince = current.IsEmpty ? null : _unstableSince ?? now;
    }

    /// <summary>The decision due at <paramref name="now"/> for the leader whose sides are <paramref name="sides"/>, or
    /// null if there is nothing to decide yet. After a decision the clocks restart, so if the downing does not take
    /// effect (its gossip was lost) the leader decides again a window later rather than at once.</summary>
    public DowningDecision? Decide(SplitSides sides, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(sides);
        if (_unreachable.IsEmpty)
        {
            return null;
        }

        DowningDecision? decision = null;
        if (now - _lastChange >= Window)
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
