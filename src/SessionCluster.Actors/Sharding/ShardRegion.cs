using System.Collections.Immutable;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Actors.Sharding;

/// <summary>One node's view of the shards, as a pure state machine: routes each command to its shard's home, buffers
/// while a home is unknown or moving, and plays both ends of a hand-off.</summary>
/// <remarks>
/// <para>Inputs are local requests (<see cref="Submit"/>), messages from other nodes (<see cref="Receive"/>), the host's
/// report that a shard's entities stopped (<see cref="ShardCollected"/>), membership views and ticks; outputs are
/// <see cref="ShardingEffect"/>s. No clock, thread or socket in here, so a simulation can run many regions on one
/// thread from a seed.</para>
/// <para>Single writer: a region serves a shard only after the coordinator's decision names it (under an epoch no
/// older than any it has seen for that shard), and stops the moment a decision names another node. A new home holds
/// the sessions it received without serving them until the coordinator confirms; the old home keeps them until the
/// same confirmation, so a move that fails can always be given back. Requests for a shard that is moving wait in a
/// bounded buffer and go out in arrival order once its home is known (another node's back to it as
/// <see cref="ShardNotHere"/>, so that only the origin, which waits for the reply, ever tracks where a request went); a
/// request that reaches a node no longer serving its shard is answered <see cref="ShardNotHere"/> (not applied) and
/// re-sent by its origin.</para>
/// <para>A proxy region (the front role) hosts nothing; it only routes.</para>
/// <para>Commands rely on the transport's at-most-once delivery (TCP never duplicates; the in-memory network does only
/// when a test injects it): a duplicated envelope would be applied twice. Protocol messages (allocations, hand-off
/// slices, receipts, reports) are idempotent and tolerate loss, duplication and reordering.</para>
/// </remarks>
public sealed partial class ShardRegion
{
    // How often a request may bounce off nodes that no longer hold its shard before it gives up with 503.
    private const int MaxAttempts = 16;

    // Repeats of one unanswered request (see ResendUnanswered): enough to step around a lost message or a stale home
    // twice, few enough that a home that is merely slow is not flooded with copies.
    private const int MaxResends = 2;

    // A hand-off slice's re-sends wait from retry-interval up to this many times it (2 s by default), doubling: a slow
    // new home is not flooded, and a lost last slice still goes again several times within the hand-off timeout.
    private const int HandOffResendBackOffCap = 4;

    // An operator's weight is repeated to the coordinator this many retry intervals apart (5 s by default).
    private const int WeightRepeatEvery = 10;

    private readonly ShardingSettings _settings;
    private readonly TimeSpan _requestTimeout;
    private readonly Slot[] _slots;
    private readonly Dictionary<long, Pending> _pending = [];
    private readonly RoutingVersion _routingVersion = new();
    private readonly HashSet<NodeAddress> _liveMembers = [];

    // Live members that some monitor reports unreachable (a refused connection marks a crashed process at once): reads
    // of shards homed there go to a backup instead of waiting for the home to be downed.
    private readonly HashSet<NodeAddress> _unreachable = [];
    private readonly EffectBuffer _effects = new();
    private (UniqueAddress Node, long Reign)? _following;

    // True once the followed reign has sent its table: until then the report may have been lost, so keep registering.
    private bool _confirmed;
    private UniqueAddress? _candidate;
    private DateTimeOffset _lastRegistered = DateTimeOffset.MinValue;
    private DateTimeOffset _lastDrainSent = DateTimeOffset.MinValue;
    private long _maxEpochSeen;
    private int _buffered;
    private bool _wasMember;
    private bool _draining;
    private double? _weightOverride;
    private DateTimeOffset _lastWeightSent = DateTimeOffset.MinValue;

    /// <param name="self">This node.</param>
    /// <param name="hostsShards">False for a proxy region (front role): it routes but hosts nothing.</param>
    /// <param name="settings">Sharding settings.</param>
    /// <param name="requestTimeout">How long a request may wait here (buffered or at a remote home) before it fails.</param>
    public ShardRegion(UniqueAddress self, bool hostsShards, ShardingSettings settings, TimeSpan requestTimeout)
    {
        ArgumentNullException.ThrowIfNull(self);
        ArgumentNullException.ThrowIfNull(settings);
        Self = self;
        HostsShards = hostsShards;
        _settings = settings;
        _requestTimeout = requestTimeout;
        _slots = new Slot[settings.NumberOfShards];
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new Slot(_routingVersion);
        }
    }

    public UniqueAddress Self { get; }

    public bool HostsShards { get; }

    public ShardingSettings Settings => _settings;

    /// <summary>True once this node has left the membership (downed or removed): it serves nothing any more.</summary>
    public bool IsStopped { get; private set; }

    /// <summary>The node this region takes for the coordinator (the oldest Up worker in its view).</summary>
    public UniqueAddress? Coordinator => _candidate;

    /// <summary>Changes whenever any shard's phase, home or epoch changes: a host that publishes the routes (see
    /// <see cref="HomeOf"/>) for readers outside the machine republishes when this moves.</summary>
    public long RouteVersion => _routingVersion.Value;

    /// <summary>Local requests waiting for a home or a remote answer.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Commands buffered here (local and forwarded) until their shard's home is known.</summary>
    public int BufferedCount => _buffered;

    /// <summary>The shard of a session id.</summary>
    public int ShardOf(SessionId id) => ShardId.Of(id, _slots.Length);

    /// <summary>True if <paramref name="address"/> is a member this node has not seen downed or removed.</summary>
    public bool IsLive(NodeAddress address) => _liveMembers.Contains(address);

    /// <summary>True if some monitor reports the member unreachable.</summary>
    public bool IsUnreachable(NodeAddress address) => _unreachable.Contains(address);

    /// <summary>True if some shard is being handed off from this node (collecting or sending its sessions).</summary>
    public bool IsHandingOff => Array.Exists(_slots, slot => slot.Phase == Phase.HandingOff);

    /// <summary>True if some shard is being handed over to this node (its sessions arriving, or arrived and waiting for
    /// the coordinator's confirmation).</summary>
    public bool IsReceiving => Array.Exists(_slots, slot => slot.Phase == Phase.Receiving);

    /// <summary>True if this region serves <paramref name="shard"/> right now.</summary>
    public bool IsServing(int shard) => _slots[shard].Phase == Phase.Active;

    /// <summary>What this region knows of a shard: its home (this node while it serves it) and epoch.</summary>
    public (NodeAddress? Home, long Epoch) HomeOf(int shard)
    {
        var slot = _slots[shard];
        return slot.Phase switch
        {
            Phase.Active => (Self.Address, slot.Epoch),
            Phase.Remote => (slot.Home, slot.Epoch),
            _ => (null, slot.Epoch),
        };
    }

    /// <summary>The nodes this region knows to hold backups of a shard (this one included if it is one).</summary>
    public ImmutableArray<NodeAddress> BackupsOf(int shard) => _slots[shard].Backups;

    /// <summary>Every shard held here in any form (serving, handing off, receiving, backing up), as reported to the coordinator.</summary>
    public ImmutableArray<HostedShard> HeldShards
    {
        get
        {
            var held = ImmutableArray.CreateBuilder<HostedShard>();
            for (var shard = 0; shard < _slots.Length; shard++)
            {
                var slot = _slots[shard];
                switch (slot.Phase)
                {
                    case Phase.Active:
                        held.Add(new HostedShard(shard, slot.Epoch, HostedShardStatus.Active));
                        break;
                    case Phase.HandingOff:
                        held.Add(new HostedShard(shard, slot.Epoch, HostedShardStatus.HandingOff));
                        break;
                    case Phase.Receiving:
                        held.Add(new HostedShard(shard, slot.TransferEpoch, slot.ReceivedAll ? HostedShardStatus.Received : HostedShardStatus.Receiving));
                        break;
                    case Phase.Unknown or Phase.Remote when slot.Backing != Backing.None:
                        held.Add(new HostedShard(shard, slot.Epoch, slot.Backing == Backing.Synced ? HostedShardStatus.SyncedBackup : HostedShardStatus.Backup));
                        break;
                }
            }

            return held.ToImmutable();
        }
    }

    /// <summary>A request that entered through this node: route <paramref name="command"/> to its shard's home.
    /// The answer comes back as <see cref="CompleteRequest"/> or, if delivered here, from the host.</summary>
    /// <param name="requestId">Unique per request on this node.</param>
    /// <param name="command">The command.</param>
    /// <param name="now">Protocol time.</param>
    /// <param name="sentBefore">The request went to a home before (that died), so it may have been applied.</param>
    /// <param name="unansweredBy">A node the request was sent to straight and that did not answer in time.</param>
    public IReadOnlyList<ShardingEffect> Submit(
        long requestId, SessionCommand command, DateTimeOffset now, bool sentBefore = false, NodeAddress? unansweredBy = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        var shard = ShardOf(command.SessionId);
        if (IsStopped)
        {
            _effects.Add(new CompleteRequest(requestId, new ShardUnavailable(shard, "this node has left the cluster", sentBefore)));
            return Flush();
        }

        if (unansweredBy is not null)
        {
            // Sent straight there and not answered (see ResendUnanswered): ask the coordinator before sending again.
            ForgetHome(_slots[shard], unansweredBy);
        }

        var envelope = new ShardEnvelope(requestId, Self.Address, shard, 0, command);
        _pending[requestId] = new Pending(envelope, now + _requestTimeout) { SentBefore = sentBefore };
        Route(envelope, now, forwarded: true);
        return Flush();
    }

    /// <summary>A message from another node's region or coordinator.</summary>
    public IReadOnlyList<ShardingEffect> Receive(UniqueAddress from, object message, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(message);
        if (IsStopped || ShardOutOfRange(message))
        {
            return [];
        }

        switch (message)
        {
            case ShardEnvelope envelope:
                OnEnvelope(envelope, now);
                break;
            case ShardReply reply:
                if (_pending.Remove(reply.RequestId, out var answered))
                {
                    var outcome = answered.SentBefore && reply.Reply is ShardUnavailable { MayHaveApplied: false } unavailable
                        ? unavailable with { MayHaveApplied = true }
                        : reply.Reply;
                    _effects.Add(new CompleteRequest(reply.RequestId, outcome));
                }

                break;
            case ShardNotHere notHere:
                OnNotHere(from, notHere, now);
                break;
            case QueryRegion query:
                _confirmed = _following is { } current && current.Node.Equals(from) && current.Reign == query.Reign && _confirmed;
                _following = (from, query.Reign);
                _effects.Add(new SendToNode(from.Address, new RegionReport(query.Reign, HostsShards, Weight, HeldShards, _maxEpochSeen)));
                break;
            case ShardHomes homes when IsFollowed(from, homes.Reign):
                _confirmed = true;
                foreach (var allocation in homes.Allocations)
                {
                    OnAllocation(allocation, now);
                }

                break;
            case HandOffShard handOff when IsFollowed(from, handOff.Reign):
                OnHandOff(handOff, now);
                break;
            case ShardTransfer transfer:
                OnTransfer(from, transfer, now);
                break;
            case ShardTransferAck ack when TransferUnderWay(ack.Shard, ack.Epoch) is { } sending:
                sending.Acknowledged(ack.Chunk, now);
                SendDueSlices(_slots[ack.Shard], now);
                if (sending.IsComplete)
                {
                    _slots[ack.Shard].LastSent = now;   // the coordinator's confirmation is due from now on
                }

                break;
            case ShardTransferDeclined declined when TransferUnderWay(declined.Shard, declined.Epoch) is { } offering:
                offering.SendInFull(declined.Chunk, now);
                SendDueSlices(_slots[declined.Shard], now);
                break;
        }

        return Flush();
    }

    /// <summary>The host stopped every entity of <paramref name="shard"/>; these are its sessions, to hand over.</summary>
    public IReadOnlyList<ShardingEffect> ShardCollected(int shard, ImmutableArray<SessionCrdt> sessions, DateTimeOffset now)
    {
        var slot = _slots[shard];
        if (slot.Phase == Phase.HandingOff && slot.Transfer is null && !IsStopped)
        {
            slot.Sessions = sessions;
            StartTransfer(shard, slot, now);
        }

        return Flush();
    }

    /// <summary>The host has received the home's whole copy of <paramref name="shard"/>, which it backs up: tell the
    /// coordinator this copy is worth promoting.</summary>
    public IReadOnlyList<ShardingEffect> BackupCopied(int shard)
    {
        var slot = _slots[shard];
        if (slot.Backing == Backing.Copying && !IsStopped)
        {
            slot.Backing = Backing.Synced;
            ReportSynced(shard, slot);
        }

        return Flush();
    }

    /// <summary>This node's membership view changed.</summary>
    public IReadOnlyList<ShardingEffect> MembershipChanged(CurrentClusterState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (IsStopped)
        {
            return [];
        }

        _liveMembers.Clear();
        _unreachable.Clear();
        foreach (var unreachable in state.Unreachable)
        {
            _unreachable.Add(unreachable.Address);
        }

        var selfIsMember = false;
        foreach (var member in state.Members)
        {
            if (member.Status is MemberStatus.Down or MemberStatus.Removed)
            {
                continue;
            }

            _liveMembers.Add(member.Address);
            selfIsMember |= member.UniqueAddress.Equals(Self);
        }

        if (selfIsMember)
        {
            _wasMember = true;
        }
        else if (_wasMember)
        {
            Stop();
            return Flush();
        }

        var candidate = CoordinatorPlacement.Choose(state.Members);
        if (!Equals(candidate, _candidate))
        {
            _candidate = candidate;
            _lastRegistered = DateTimeOffset.MinValue;
        }

        if (_following is { } following && !_liveMembers.Contains(following.Node.Address))
        {
            _following = null;
        }

        ForgetDepartedHomes(now);
        ReadFromBackupsOfUnreachableHomes(now);
        RegisterIfNeeded(now);
        return Flush();
    }

    /// <summary>Periodic work: expire requests, re-ask for homes, re-send hand-off slices and receipts, register.</summary>
    public IReadOnlyList<ShardingEffect> Tick(DateTimeOffset now)
    {
        if (IsStopped)
        {
            return [];
        }

        ExpireRequests(now);
        for (var shard = 0; shard < _slots.Length; shard++)
        {
            var slot = _slots[shard];
            var due = now - slot.LastSent >= _settings.RetryInterval;
            switch (slot.Phase)
            {
                case Phase.Unknown when slot.Buffer is { Count: > 0 } && due:
                    AskHome(shard, slot, now);
                    break;
                case Phase.HandingOff when slot.Transfer is { IsComplete: false }:
                    SendDueSlices(slot, now);   // re-sends whose back-off ran out; acknowledgements let new slices go
                    break;
                case Phase.Receiving when slot.ReceivedAll && due:
                    ReportReceived(shard, slot, now);
                    break;
                case Phase.HandingOff when slot.Transfer is { IsComplete: true } && due:
                    // Everything was delivered; the coordinator's confirmation may have been lost: ask for the outcome.
                    AskHome(shard, slot, now);
                    break;
            }
        }

        if (_draining && !HoldsNothing && _candidate is { } coordinator && now - _lastDrainSent >= _settings.RetryInterval)
        {
            // The request to drain may have been lost; repeating it is harmless.
            _effects.Add(new SendToNode(coordinator.Address, new DrainRegion(true)));
            _lastDrainSent = now;
        }

        if (_weightOverride is { } weight && HostsShards && _candidate is { } told && now - _lastWeightSent >= _settings.RetryInterval * WeightRepeatEvery)
        {
            // Not acknowledged, so repeated now and then: a lost message or a coordinator that took the post in between
            // (it also learns the weight from this region's report) then learns it within seconds.
            _effects.Add(new SendToNode(told.Address, new RegionWeightChanged(weight)));
            _lastWeightSent = now;
        }

        RegisterIfNeeded(now);
        return Flush();
    }

    /// <summary>An operator set this region's capacity weight (0 hosts no shards); it replaces
    /// <see cref="ShardingSettings.CapacityWeight"/> until the process stops, and the coordinator learns it at once.</summary>
    public IReadOnlyList<ShardingEffect> SetWeight(double weight, DateTimeOffset now)
    {
        if (!double.IsFinite(weight) || weight < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "A capacity weight is finite and at least 0.");
        }

        _weightOverride = weight;
        if (_candidate is { } coordinator && HostsShards)
        {
            _effects.Add(new SendToNode(coordinator.Address, new RegionWeightChanged(weight)));
            _lastWeightSent = now;
        }

        return Flush();
    }

    /// <summary>This region's capacity weight: the configured one unless an operator set another.</summary>
    public double CapacityWeight => _weightOverride ?? _settings.CapacityWeight;

    /// <summary>Start (or stop) draining: ask the coordinator to move every shard off this node, as before a leave.</summary>
    public IReadOnlyList<ShardingEffect> Drain(bool draining, DateTimeOffset now)
    {
        _draining = draining;
        if (_candidate is { } coordinator && HostsShards)
        {
            _effects.Add(new SendToNode(coordinator.Address, new DrainRegion(draining)));
            _lastDrainSent = now;
        }

        return Flush();
    }

    /// <summary>True if this region holds no shard in any form: a draining node may now leave.</summary>
    public bool HoldsNothing => Array.TrueForAll(_slots, slot => slot.Phase is Phase.Unknown or Phase.Remote);

    /// <summary>The copy of <paramref name="shard"/> this node is sending to its new home under <paramref name="epoch"/>,
    /// if that hand-off is still sending; null for an answer about any other (stale, superseded, or done).</summary>
    private ShardCopy<IRegionMessage>? TransferUnderWay(int shard, long epoch) =>
        _slots[shard] is { Phase: Phase.HandingOff, Transfer: { IsComplete: false } sending } && sending.Epoch == epoch ? sending : null;

    /// <summary>A peer configured with more shards than this node names one it does not have: drop it rather than
    /// fail (the number of shards must match cluster-wide; the wire cannot check it).</summary>
    private bool ShardOutOfRange(object message)
    {
        var shard = message switch
        {
            ShardEnvelope m => m.Shard,
            ShardNotHere m => m.Shard,
            HandOffShard m => m.Shard,
            ShardTransfer m => m.Shard,
            ShardTransferAck m => m.Shard,
            ShardTransferOffer m => m.Shard,
            ShardTransferDeclined m => m.Shard,
            _ => 0,
        };
        return (uint)shard >= (uint)_slots.Length;
    }

    private double Weight => HostsShards && !_draining ? CapacityWeight : 0;

    private bool IsFollowed(UniqueAddress from, long reign) => _following is { } f && f.Node.Equals(from) && f.Reign == reign;

    private IReadOnlyList<ShardingEffect> Flush() => _effects.Drain();

    private void ReportSynced(int shard, Slot slot)
    {
        if (_following is { } coordinator)
        {
            _effects.Add(new SendToNode(coordinator.Node.Address, new BackupSynced(coordinator.Reign, shard, slot.Epoch)));
        }
    }

    /// <summary>Whether this region keeps a backup copy of a shard.</summary>
    private enum Backing
    {
        None,

        /// <summary>A backup still receiving the home's copy (deltas already apply).</summary>
        Copying,

        /// <summary>A backup holding the whole copy.</summary>
        Synced,
    }

    private enum Phase
    {
        Unknown,
        Remote,
        Active,
        HandingOff,
        Receiving,
    }

    /// <summary>This region's state of one shard.</summary>
    private sealed class Slot(RoutingVersion version)
    {
        private Phase _phase;
        private NodeAddress? _home;
        private long _epoch;

        public Phase Phase
        {
            get => _phase;
            set
            {
                _phase = value;
                version.Value++;
            }
        }

        /// <summary>Remote: the home. HandingOff: the new home. Receiving: the old home.</summary>
        public NodeAddress? Home
        {
            get => _home;
            set
            {
                _home = value;
                version.Value++;
            }
        }

        /// <summary>The epoch of the newest allocation applied (Active, Remote, or the old one while HandingOff).</summary>
        public long Epoch
        {
            get => _epoch;
            set
            {
                _epoch = value;
                version.Value++;
            }
        }

        /// <summary>HandingOff and Receiving: the epoch the new home will serve under.</summary>
        public long TransferEpoch;

        /// <summary>The backups of the newest allocation applied.</summary>
        public ImmutableArray<NodeAddress> Backups = [];

        /// <summary>Whether this region is one of <see cref="Backups"/>, and how far its copy is.</summary>
        public Backing Backing;

        /// <summary>When something was last (re)sent for this shard: a home query, slices, a receipt.</summary>
        public DateTimeOffset LastSent = DateTimeOffset.MinValue;

        public Queue<Buffered>? Buffer;

        // HandingOff: the collected sessions, and once collected their copy to the new home, slice by slice.
        public ImmutableArray<SessionCrdt> Sessions;
        public ShardCopy<IRegionMessage>? Transfer;

        // Receiving: the slices that arrived.
        public ImmutableArray<SessionCrdt>?[]? Received;
        public int ReceivedCount;

        public bool ReceivedAll => Received is { } received && ReceivedCount == received.Length;
    }

    private readonly record struct Buffered(ShardEnvelope Envelope, DateTimeOffset Deadline);

    /// <summary>A counter shared by the slots, bumped on every change of a route.</summary>
    private sealed class RoutingVersion
    {
        public long Value;
    }

    /// <summary>A local request not yet delivered here: buffered, or sent to a remote home.</summary>
    private sealed class Pending(ShardEnvelope envelope, DateTimeOffset deadline)
    {
        public ShardEnvelope Envelope { get; set; } = envelope;

        public DateTimeOffset Deadline { get; } = deadline;

        /// <summary>The home it was sent to; null while buffered.</summary>
        public NodeAddress? SentTo { get; set; }

        /// <summary>True once a read was sent to a backup (see <see cref="BackupRead"/>): it is not sent to one again.</summary>
        public bool TriedBackup { get; set; }

        /// <summary>True once it was sent to a home that died before answering: it may have been applied there, so any
        /// failure from then on says so.</summary>
        public bool SentBefore { get; set; }

        public int Attempts { get; set; }

        /// <summary>When it was last sent to <see cref="SentTo"/>.</summary>
        public DateTimeOffset SentAt { get; set; }

        /// <summary>How often it was sent again for want of an answer (see ResendUnanswered).</summary>
        public int Resends { get; set; }
    }
}
