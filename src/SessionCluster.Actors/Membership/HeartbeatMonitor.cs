using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Membership;

/// <summary>One node's heartbeat side: whom it heartbeats, a failure detector per monitored incarnation, and the
/// resulting changes to its own row of the reachability table.</summary>
/// <remarks>
/// Targets are the ring neighbours (<see cref="HeartbeatRing"/>) among members that are not Down, plus every member
/// this node itself reports unreachable — it must keep probing those to notice when they come back, even if the ring
/// moved on. A new target gets a fresh detector with a synthetic first arrival "now", so a node that never answers
/// is still detected, after the same silence as one that stopped.
/// A refused connection to a member overrides its detector: the member is unreachable, by refusal, until a heartbeat
/// or ack from it arrives (then its detector decides again, as usual). A refusal observed before the last heartbeat
/// from that member is stale (it answered since) and is ignored.
/// </remarks>
internal sealed class HeartbeatMonitor(UniqueAddress self, int monitoredBy, Func<IFailureDetector> newDetector)
{
    private readonly Dictionary<UniqueAddress, IFailureDetector> _detectors = [];
    private readonly Dictionary<UniqueAddress, DateTimeOffset> _lastHeard = [];
    private readonly HashSet<UniqueAddress> _refused = [];
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

        _refused.RemoveWhere(node => gossip.MemberOf(node)?.Status is null or MemberStatus.Down);
        foreach (var gone in _lastHeard.Keys.Where(node => !gossip.HasMember(node)).ToList())
        {
            _lastHeard.Remove(gone);
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

    /// <summary>Any heartbeat or heartbeat ack from a monitored incarnation is proof of life; from any incarnation, it
    /// clears a refusal recorded against it.</summary>
    /// <summary>Incarnations heard from and remembered.</summary>
    public int HeardCount => _lastHeard.Count;

    public void Record(UniqueAddress from, DateTimeOffset now)
    {
        _lastHeard[from] = now;
        _refused.Remove(from);
        if (_detectors.TryGetValue(from, out var detector))
        {
            detector.Heartbeat(now);
        }
    }

    /// <summary>Records that a connection to the member <paramref name="node"/> was refused at
    /// <paramref name="observedAt"/>; false if that changes nothing (already recorded, or stale: it answered since).</summary>
    public bool Refused(UniqueAddress node, DateTimeOffset observedAt) =>
        !(_lastHeard.TryGetValue(node, out var heard) && heard >= observedAt) && _refused.Add(node);

    /// <summary>This node's row brought up to date with its detectors and refusals at <paramref name="now"/>.</summary>
    public Reachability Evaluate(Reachability reachability, DateTimeOffset now)
    {
        var mine = reachability.UnreachableBy(self);
        var refusedInRow = reachability.RefusedBy(self);
        foreach (var (target, detector) in _detectors)
        {
            var refused = _refused.Contains(target);
            var available = !refused && detector.IsAvailable(now);
            if (!available && (!mine.Contains(target) || refusedInRow.Contains(target) != refused))
            {
                // Newly unreachable, or the evidence changed: a refusal came, or an answer cleared it but the detector
                // still finds the member silent.
                reachability = reachability.MarkUnreachable(self, target, refused);
            }
            else if (available && mine.Contains(target))
            {
                reachability = reachability.MarkReachable(self, target);
            }
        }

        // A refused member this node does not monitor yet: once in the row it becomes a target (see Update).
        foreach (var node in _refused.Where(node => !_detectors.ContainsKey(node) && !refusedInRow.Contains(node)))
        {
            reachability = reachability.MarkUnreachable(self, node, refused: true);
        }

        return reachability;
    }
}
