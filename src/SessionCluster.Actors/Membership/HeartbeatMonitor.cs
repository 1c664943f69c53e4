using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Membership;

/// <summary>One node's heartbeat side: whom it heartbeats, a failure detector per monitored incarnation, and the
/// resulting changes to its own row of the reachability table.</summary>
/// <remarks>
/// Targets are the ring neighbours (<see cref="HeartbeatRing"/>) among members that are not Down, plus every member
/// this node itself reports unreachable — it must keep probing those to notice when they come back, even if the ring
/// moved on. A new target gets a fresh detector with a synthetic first arrival "now", so a node that never answers
/// is still detected, after the same silence as one that stopped.
/// </remarks>
internal sealed class HeartbeatMonitor(UniqueAddress self, int monitoredBy, Func<IFailureDetector> newDetector)
{
    private readonly Dictionary<UniqueAddress, IFailureDetector> _detectors = [];
    private List<UniqueAddress> _eligible = [];
    private IReadOnlyList<UniqueAddress> _ring = [];

    public IReadOnlyCollection<UniqueAddress> Targets => _detectors.Keys;

    /// <summary>Recomputes the targets for a new view.</summary>
    public void Update(Gossip gossip, DateTimeOffset now)
    {
        var eligible = gossip.Members.Values
            .Where(member => member.Status != MemberStatus.Down && !member.UniqueAddress.Equals(self))
            .Select(member => member.UniqueAddress)
            .ToList();
        if (!eligible.SequenceEqual(_eligible))
        {
            _eligible = eligible;
            _ring = HeartbeatRing.Neighbours(self, eligible, monitoredBy);
        }

        var targets = new SortedSet<UniqueAddress>(_ring);
        foreach (var subject in gossip.Reachability.UnreachableBy(self))
        {
            if (gossip.MemberOf(subject)?.Status is { } status && status != MemberStatus.Down)
            {
                targets.Add(subject);
            }
        }

        foreach (var gone in _detectors.Keys.Where(node => !targets.Contains(node)).ToList())
        {
            _detectors.Remove(gone);
        }

        foreach (var target in targets)
        {
            if (!_detectors.ContainsKey(target))
            {
                var detector = newDetector();
                detector.Heartbeat(now);
                _detectors[target] = detector;
            }
        }
    }

    /// <summary>Any heartbeat or heartbeat ack from a monitored incarnation is proof of life.</summary>
    public void Record(UniqueAddress from, DateTimeOffset now)
    {
        if (_detectors.TryGetValue(from, out var detector))
        {
            detector.Heartbeat(now);
        }
    }

    /// <summary>This node's row brought up to date with its detectors at <paramref name="now"/>.</summary>
    public Reachability Evaluate(Reachability reachability, DateTimeOffset now)
    {
        var mine = reachability.UnreachableBy(self);
        foreach (var (target, detector) in _detectors)
        {
            var available = detector.IsAvailable(now);
            if (!available && !mine.Contains(target))
            {
                reachability = reachability.MarkUnreachable(self, target);
            }
            else if (available && mine.Contains(target))
            {
                reachability = reachability.MarkReachable(self, target);
            }
        }

        return reachability;
    }
}
