using System.Collections.Immutable;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Membership;

// Design notes: the membership protocol of one node.
//
// Shape. A deterministic state machine: every input (Start, Tick, Receive, Leave, Down) takes the current time from
// the caller and returns the effects to carry out (Send, Publish, ShutDownSelf). It owns no socket, thread, timer or
// clock, and its randomness is an injected seeded Random, so a simulation replays exactly from a seed. The host
// calls Tick every ClusterSettings.TickInterval; gossip and heartbeat cadences are kept inside.
//
// Joining (as Akka). With no seeds it forms a single-node cluster at once. A lone first seed (the Lighthouse, which
// lists only itself) may have been restarted while the cluster it seeded lives on, and forming at once would split
// it from that cluster: so the leader of every cluster sends each configured seed address that has no live member an
// unsolicited InitJoinAck every seed-retry-interval, and the lone seed waits seed-node-timeout for one before it forms
// a cluster alone. An invitation that comes later still counts while it is the only member of the cluster it formed:
// it then joins the inviter's cluster instead (nobody is left behind: it was alone).
// Otherwise it sends InitJoin to every other seed and sends Join to the first that answers InitJoinAck; the member
// that admits it adds it as Joining and replies Welcome with its gossip. Only the FIRST seed in the list may form a
// new cluster, and only if no other seed acknowledged within seed-node-timeout (or all of them answered
// InitJoinNack: none is in a cluster); once it has heard an ack it never forms one alone. Everything is retried on
// timeouts, so lost messages only delay. A different cluster name is refused with a reason (JoinRefused event).
// A Join from a new incarnation of an address that still has a member first downs the old incarnation; the new one
// is admitted on a later attempt, once the leader has removed the old one.
//
// Gossip. Every gossip-interval a member sends its whole view to one reachable member, preferring those that have not
// seen the current version; the receiver merges (a semilattice join, see Gossip), marks itself as having seen the
// result, and replies with its own view when the sender lacks something (push-pull). A local change (admission,
// leader action, reachability, leave, down) is also pushed to one member at once. The version vector tells newer,
// older and concurrent views apart; "seen by" tells the leader when everyone that counts has the same view.
//
// Convergence and the leader. A view is converged when every Up/Leaving member has seen it and every unreachable
// member is Down or Exiting. The leader is the first reachable Up/Leaving member in address order (each node counts
// itself reachable). On a converged view the leader moves Joining -> Up, Leaving -> Exiting, and removes Exiting and
// (after down-removal-margin) Down members, leaving tombstones so stale gossip cannot bring them back.
//
// Failure detection. Members heartbeat their ring neighbours (HeartbeatRing) and feed phi accrual detectors; a node
// records "unreachable"/"reachable again" in its own row of the reachability table, which travels in the gossip.
// Unreachability blocks convergence, so membership changes wait for a decision about it.
//
// Refused connections. Silence is ambiguous: a dead process and a partition look the same to a detector. A refused
// connect is not: the subject's host answered, and nothing listens on the subject's port, so its process is gone
// (TCP answers a SYN to a closed port with a reset; the transport reports ConnectionRefused, the in-memory network
// simulates it; a partition or a lost host gives timeouts instead). The transport reports each refused attempt; the
// host feeds it in as ConnectionRefused(address, observedAt, now), and this node marks the member at that address
// unreachable in its own row at once, flagged as refused. The flag travels in the gossip with the row, so a leader
// that saw no refusal itself still knows. When every unreachable member is refused, the resolver waits only
// stable-after-refused: stable-after exists so that both sides of a split decide on the same picture, and a dead
// process is no side. A heartbeat or ack from the member clears the flag (then its detector decides, as usual).
// Safety. The transport knows addresses, not incarnations, and a restarted process listens on the same address with
// a new uid. A refusal counts only against the incarnation that is the current member at that address (never self,
// never one already Down: a new incarnation is only admitted once the old one is removed), and only if this node
// knew it as a member when the refusal was observed (a refusal from before a new incarnation joined says nothing
// about it) and has heard no heartbeat from it since (it answered: the refusal is stale). Downing the OLD
// incarnation on a refusal is right even if a new one is about to start there: the old process is gone for good.
// What the rule cannot tell from a crash: a firewall that rejects rather than drops; it then acts on a partition
// after stable-after-refused, which is why reference.conf warns about it.
//
// Downing. Only the split-brain resolver downs automatically: every node tracks how long its unreachable set has
// been stable; the leader of each side, after stable-after, applies the strategy (keep-majority by default) and
// marks the losing side Down — its own side included, when it loses. A node that sees itself Down (or removed)
// publishes it and emits ShutDownSelf at once: it never goes on claiming to be Up. When a leader downs its own side
// it first sends the new view to every member of that side, so they learn it even though it stops.
//
// Invariants (pinned by the simulation tests): statuses only move forward (MemberLifecycle); a removed incarnation
// never reappears in a view; a node whose own status is Down or Removed is stopped; after a split is resolved, at
// most one side has a converged leader and the other side is stopped.
//
// Failure cases. Lost, duplicated or reordered messages: gossip is idempotent and retried; joins are retried.
// Crash: detected by its monitors (at once on a refused connection, else by silence), downed by the leader after
// stable-after-refused or stable-after, removed after the margin. Partition:
// both sides detect, wait stable-after, decide complementarily; the loser shuts down. Healed before stable-after:
// rows are cleared as heartbeats resume and nothing is downed. Flapping: each change restarts stable-after; if the
// picture is not stable within stable-after + down-all-when-unstable, everyone is downed rather than risk two
// clusters. Not handled: a leader partitioned one way only may disagree with its side; the resolver's stable-after
// is what protects against that, as in Akka.

/// <summary>The membership protocol of one node as a deterministic state machine; see the design notes at the top of
/// the file. The host feeds it transport messages, a periodic tick and operator commands, and carries out the
/// effects it returns.</summary>
/// <remarks>Not thread-safe: the host serialises calls (an actor, or the simulation's single thread).</remarks>
public sealed partial class MembershipNode
{
    // Gossip goes to a member that has not seen the current version this often, otherwise to any member: mostly
    // spreading news, sometimes pulling news from a node that may have some (Akka uses a similar bias).
    private const double PreferUnseenProbability = 0.8;

    private readonly ClusterSettings _settings;
    private readonly ImmutableSortedSet<string> _roles;
    private readonly string _route;
    private readonly Random _random;
    private readonly HeartbeatMonitor _monitor;
    private readonly SplitBrainResolver _resolver;
    private readonly List<MembershipEffect> _effects = [];
    private readonly Dictionary<UniqueAddress, DateTimeOffset> _downSince = [];
    private readonly Dictionary<UniqueAddress, DateTimeOffset> _memberSince = [];
    private readonly HashSet<NodeAddress> _nackedBy = [];
    private readonly HashSet<NodeAddress> _refusedBy = [];
    private Gossip _gossip = Gossip.Empty;
    private UniqueAddress? _leader;
    private DateTimeOffset _seekingSince;
    private DateTimeOffset _nextInitJoinAt;
    private DateTimeOffset _nextInvitationAt;
    private DateTimeOffset _nextStillJoiningAt;
    private DateTimeOffset _welcomeDeadline;
    private DateTimeOffset _nextGossipAt;
    private DateTimeOffset _nextHeartbeatAt;
    private DateTimeOffset? _exitDeadline;
    private bool _heardFromCluster;
    private bool _changedInStep;
    private bool _gossipSentInStep;

    /// <param name="self">This node's address and incarnation.</param>
    /// <param name="settings">The cluster settings.</param>
    /// <param name="roles">This node's roles.</param>
    /// <param name="random">Chooses gossip targets.</param>
    /// <param name="newDetector">Makes a failure detector per monitored node (phi accrual by default).</param>
    /// <param name="route">This node's route name, shown to operators with its address; empty for none.</param>
    public MembershipNode(UniqueAddress self, ClusterSettings settings, IEnumerable<string> roles, Random random, Func<IFailureDetector>? newDetector = null, string route = "")
    {
        ArgumentNullException.ThrowIfNull(self);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(roles);
        ArgumentNullException.ThrowIfNull(random);
        Self = self;
        _settings = settings.Validate();
        _roles = ImmutableSortedSet.CreateRange(StringComparer.Ordinal, roles);
        _route = RouteName.EmptyOrValid(route, nameof(route));
        _random = random;
        newDetector ??= () => new PhiAccrualFailureDetector(settings.FailureDetector);
        _monitor = new HeartbeatMonitor(self, settings.MonitoredBy, newDetector);
        var splitBrain = settings.SplitBrain;
        _resolver = new SplitBrainResolver(splitBrain.CreateStrategy(), splitBrain.StableAfter, splitBrain.DownAllWhenUnstable, splitBrain.StableAfterRefused);
    }

    public UniqueAddress Self { get; }

    public ClusterSettings Settings => _settings;

    public MembershipPhase Phase { get; private set; } = MembershipPhase.Idle;

    /// <summary>This node's current view.</summary>
    public Gossip Gossip => _gossip;

    /// <summary>The leader in this node's view.</summary>
    public UniqueAddress? Leader => _leader;

    public bool IsLeader => Self.Equals(_leader);

    public bool IsConverged => Phase == MembershipPhase.Member && _gossip.IsConverged(Self);

    /// <summary>This node's own status in its view; null before it is a member and after it is removed.</summary>
    public MemberStatus? SelfStatus => _gossip.MemberOf(Self)?.Status;

    /// <summary>Gossip rounds this node started on its own cadence (replies and pushes on change not counted).</summary>
    public long GossipRounds { get; private set; }

    /// <summary>Nodes this node currently heartbeats.</summary>
    public IReadOnlyCollection<UniqueAddress> MonitoredNodes => _monitor.Targets;

    /// <summary>A snapshot of the view for new subscribers and status endpoints.</summary>
    public CurrentClusterState State => CurrentClusterState.Of(_gossip, Self);

    /// <summary>Begins joining: forms a cluster alone if there are no seeds, else asks the other seeds (a lone first seed
    /// waits seed-node-timeout for an existing cluster's invitation first).</summary>
    public IReadOnlyList<MembershipEffect> Start(DateTimeOffset now) => Step(() =>
    {
        if (Phase != MembershipPhase.Idle)
        {
            return;
        }

        if (_settings.SeedNodes.Count == 0)
        {
            FormCluster(now);
        }
        else
        {
            _seekingSince = now;
            _nextStillJoiningAt = now + StillJoiningInterval;
            Seek(now);
        }
    }, now);

    /// <summary>Periodic work: join retries, heartbeats, failure detection, gossip, the resolver and timeouts. Call
    /// every <see cref="ClusterSettings.TickInterval"/>.</summary>
    public IReadOnlyList<MembershipEffect> Tick(DateTimeOffset now) => Step(() =>
    {
        if (Phase is MembershipPhase.Seeking or MembershipPhase.AwaitingWelcome && now >= _nextStillJoiningAt)
        {
            Emit(new Publish(new StillJoining([.. _settings.SeedNodes], now - _seekingSince)));
            _nextStillJoiningAt = now + StillJoiningInterval;
        }

        switch (Phase)
        {
            case MembershipPhase.Seeking:
                TickSeeking(now);
                break;
            case MembershipPhase.AwaitingWelcome when now >= _welcomeDeadline:
                Seek(now);
                break;
            case MembershipPhase.Member:
                TickMember(now);
                break;
        }
    }, now);

    /// <summary>A message from the transport, from the incarnation <paramref name="from"/>.</summary>
    public IReadOnlyList<MembershipEffect> Receive(UniqueAddress from, object message, DateTimeOffset now) => Step(() =>
    {
        ArgumentNullException.ThrowIfNull(from);
        switch (message)
        {
            case Heartbeat heartbeat when heartbeat.To.Equals(Self):
                Emit(new Send(from.Address, new HeartbeatAck(from)));
                RecordHeard(from, now);
                break;
            case HeartbeatAck ack when ack.To.Equals(Self):
                RecordHeard(from, now);
                break;
            case GossipEnvelope envelope when envelope.To.Equals(Self) && Phase == MembershipPhase.Member:
                ReceiveGossip(from, envelope.Gossip, now);
                break;
            case InitJoin initJoin:
                ReceiveInitJoin(from, initJoin);
                break;
            case InitJoinAck invitation when Phase == MembershipPhase.Member:
                ReceiveInvitation(from, invitation, now);
                break;
            case InitJoinAck when Phase == MembershipPhase.Seeking:
                _heardFromCluster = true;
                Emit(new Send(from.Address, new Join(_settings.ClusterName, [.. _roles], _route)));
                Phase = MembershipPhase.AwaitingWelcome;
                _welcomeDeadline = now + _settings.JoinTimeout;
                break;
            case InitJoinNack when Phase == MembershipPhase.Seeking:
                _nackedBy.Add(from.Address);
                if (IsFirstSeed && !_heardFromCluster && OtherSeeds().All(_nackedBy.Contains))
                {
                    FormCluster(now);
                }

                break;
            case JoinRefusal refusal when Phase is MembershipPhase.Seeking or MembershipPhase.AwaitingWelcome:
                if (_refusedBy.Add(from.Address))
                {
                    Emit(new Publish(new JoinRefused(from.Address, refusal.Reason)));
                }

                break;
            case Join join:
                ReceiveJoin(from, join, now);
                break;
            case Welcome welcome when welcome.To.Equals(Self) && Phase is MembershipPhase.Seeking or MembershipPhase.AwaitingWelcome &&
                                      welcome.Gossip.HasMember(Self):
                BecomeMember(Gossip.Empty.Merge(welcome.Gossip).Seen(Self), now);
                break;
        }
    }, now);

    /// <summary>A connection to <paramref name="address"/> was refused at <paramref name="observedAt"/>: nothing listens
    /// there, so the member there, if any and if the refusal is about it, is unreachable at once (see the design notes).</summary>
    public IReadOnlyList<MembershipEffect> ConnectionRefused(NodeAddress address, DateTimeOffset observedAt, DateTimeOffset now) => Step(() =>
    {
        ArgumentNullException.ThrowIfNull(address);
        if (Phase != MembershipPhase.Member || address.Equals(Self.Address) ||
            _gossip.Members.Values.FirstOrDefault(member => member.Address.Equals(address) && member.Status != MemberStatus.Down) is not { } member ||
            !_memberSince.TryGetValue(member.UniqueAddress, out var since) || since > observedAt ||
            !_monitor.Refused(member.UniqueAddress, observedAt))
        {
            return;
        }

        var reachability = _monitor.Evaluate(_gossip.Reachability, now);
        if (!ReferenceEquals(reachability, _gossip.Reachability))
        {
            ChangeLocally(_gossip.WithReachability(reachability), now);
        }
    }, now);

    /// <summary>Leaves the cluster gracefully (Leaving → Exiting → Removed, then ShutDownSelf); a node not yet in a
    /// cluster just stops.</summary>
    public IReadOnlyList<MembershipEffect> Leave(DateTimeOffset now) => Step(() =>
    {
        if (Phase != MembershipPhase.Member)
        {
            Stop("left before joining a cluster", left: true);
            return;
        }

        MarkLeaving(Self, now);
    }, now);

    /// <summary>Asks the member at <paramref name="address"/> to leave gracefully (an operator command).</summary>
    public IReadOnlyList<MembershipEffect> Leave(NodeAddress address, DateTimeOffset now) => Step(() =>
    {
        if (Phase == MembershipPhase.Member && _gossip.MemberAt(address) is { } member)
        {
            MarkLeaving(member.UniqueAddress, now);
        }
    }, now);

    /// <summary>Declares the member at <paramref name="address"/> Down (an operator command, like Akka's Down).</summary>
    public IReadOnlyList<MembershipEffect> Down(NodeAddress address, DateTimeOffset now) => Step(() =>
    {
        if (Phase == MembershipPhase.Member && _gossip.MemberAt(address) is { Status: not MemberStatus.Down } member)
        {
            ChangeLocally(_gossip.WithMember(member.WithStatus(MemberStatus.Down)), now);
        }
    }, now);

    /// <summary>How often a node that is still not in a cluster says so (<see cref="StillJoining"/>).</summary>
    private TimeSpan StillJoiningInterval => _settings.SeedNodeTimeout * 2;

    private bool IsFirstSeed => _settings.SeedNodes.Count > 0 && _settings.SeedNodes[0].Equals(Self.Address);

    private List<NodeAddress> OtherSeeds() => [.. _settings.SeedNodes.Where(seed => !seed.Equals(Self.Address)).Distinct()];

    private IReadOnlyList<MembershipEffect> Step(Action input, DateTimeOffset now)
    {
        if (Phase == MembershipPhase.Stopped)
        {
            return [];
        }

        _effects.Clear();
        _changedInStep = false;
        _gossipSentInStep = false;
        input();
        if (Phase == MembershipPhase.Member)
        {
            RunLeaderActions(now);
            if (_changedInStep && !_gossipSentInStep && Phase == MembershipPhase.Member)
            {
                GossipToSomeone();
            }
        }

        return [.. _effects];
    }

    private void Emit(MembershipEffect effect) => _effects.Add(effect);

    private void Stop(string reason, bool left = false)
    {
        Phase = MembershipPhase.Stopped;
        Emit(new ShutDownSelf(reason, left));
    }

    /// <summary>Proof of life from <paramref name="from"/>, kept only for members: what non-members say is worth nothing
    /// to the detectors, and remembering every incarnation that ever sent a heartbeat would grow without bound (found by
    /// the live-node fuzz test, whose peers each claim a new incarnation).</summary>
    private void RecordHeard(UniqueAddress from, DateTimeOffset now)
    {
        if (_gossip.HasMember(from))
        {
            _monitor.Record(from, now);
        }
    }

    /// <summary>Incarnations the heartbeat monitor remembers hearing from; for tests of its bounds.</summary>
    internal int HeardCount => _monitor.HeardCount;
}
