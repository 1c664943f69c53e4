using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using SessionCluster.Actors.Diagnostics;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Runtime;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Actors.Sharding;

/// <summary>The actor shell around this node's <see cref="ShardRegion"/> and <see cref="ShardCoordinator"/>: feeds them
/// requests, messages, membership and ticks, and carries out their effects on real session entities.</summary>
/// <remarks>
/// <para>The protocol decisions are all in the state machines; this actor owns the entities. It is the parent of every
/// session entity on the node and the only one that starts or stops them, so a command it delivers never meets a
/// stopped entity. An entity stops for three reasons, each decided here: the session ended (expired or invalidated),
/// it was idle past <see cref="ShardingSettings.PassivateIdleAfter"/> (passivation: the session stays in its slot, and
/// the next command starts a new entity), or its shard is being handed off (the shard collects the final state of
/// every session once each entity has applied what was queued before it was told to stop).</para>
/// <para>Replies go straight from the entity to the requester: to the local Ask, or over the transport to the region
/// the request entered through.</para>
/// </remarks>
public sealed partial class ShardRegionActor : Actor
{
    private const string SweepKey = "sweep";
    private static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(50);

    // How long GET /cluster/shards waits for other homes' session counts; a silent home's shards show no count.
    private static readonly TimeSpan StatsTimeout = TimeSpan.FromSeconds(1);

    // Session ids per ReplicaPull: 16 bytes each, so a pull stays far below the frame limit.
    private const int PullBatch = 4096;

    private readonly ShardRegion _region;
    private readonly ShardCoordinator? _coordinator;
    private readonly ITransport _transport;
    private readonly ActorRef _clusterDaemon;
    private readonly LocalShards _local;
    private readonly ShardRoutes _routes;
    private readonly RemoteRequests _remoteRequests;
    private long _publishedRoutes = -1;
    private readonly SessionHost _host;
    private readonly MailboxBound? _entityMailbox;
    private readonly ShardReplicas? _replicas;
    private readonly ILogger _logger;
    private readonly RegionTransitionLog _regionTransitions;
    private readonly TimeProvider _protocolClock;
    private readonly Dictionary<long, ActorRef> _replyTo = [];
    private ITimer? _tick;
    private ITimer? _antiEntropy;
    private readonly Dictionary<int, int> _collecting = [];
    private CoordinatorTransitionLog? _coordinatorTransitions;

    // Entities told to stop (passivation, hand-off) that have not confirmed yet, with the commands that arrived for
    // their session meanwhile: a new entity for the session starts only once the old one has applied everything it
    // had queued, so two entities never write one session at the same time. A stopping entity is no longer in its
    // slot, so the backups' acknowledgements it waits for reach it through here.
    private readonly Dictionary<SessionId, StoppingEntity> _stopping = [];
    private readonly Dictionary<long, StatsQuery> _statsQueries = [];
    private readonly ActiveSessionLimit _activeSessions;

    private long _nextQueryId;
    private long _nextRequestId;
    private long _nextEntity;

    public ShardRegionActor(
        ShardRegion region,
        ShardCoordinator? coordinator,
        ITransport transport,
        ActorRef clusterDaemon,
        LocalShards local,
        ShardRoutes routes,
        RemoteRequests remoteRequests,
        SessionHost host,
        ShardReplicas? replicas,
        TimeProvider protocolClock,
        ILogger logger)
    {
        _protocolClock = protocolClock;
        _region = region;
        _coordinator = coordinator;
        _transport = transport;
        _clusterDaemon = clusterDaemon;
        _local = local;
        _routes = routes;
        _remoteRequests = remoteRequests;
        _host = host;
        _entityMailbox = ShardingMailboxes.Entity(region.Settings);
        // The entities see these replicas through host.Replicas (their channel); the region keeps the whole thing.
        _replicas = replicas;
        _logger = logger;
        _regionTransitions = new RegionTransitionLog(logger);
        _activeSessions = new ActiveSessionLimit(host.Settings.MaxActiveSessions);
    }

    protected internal override void PreStart()
    {
        _clusterDaemon.Tell(new SubscribeClusterEvents(Self), Self);
        // The protocols run on the cluster's clock, sessions on the system's (a test may drive session expiry by hand
        // while the cluster lives in real time); so the tick is a timer of the cluster clock, not an actor timer.
        var self = Self;
        _tick = _protocolClock.CreateTimer(static state => ((ActorRef)state!).Tell(Tick.Instance), self, TickInterval, TickInterval);
        if (_host.Settings.MaxInactiveInterval > TimeSpan.Zero || _region.Settings.PassivateIdleAfter > TimeSpan.Zero)
        {
            // Nothing to sweep for when sessions never expire and entities are never passivated.
            Context.Timers.StartPeriodicTimer(SweepKey, Sweep.Instance, _host.Settings.ExpiryCheckInterval);
        }

        if (_replicas is not null)
        {
            // A protocol round, so on the cluster's clock like the tick.
            var interval = _replicas.Settings.AntiEntropyInterval;
            _antiEntropy = _protocolClock.CreateTimer(static state => ((ActorRef)state!).Tell(AntiEntropy.Instance), self, interval, interval);
        }
    }

    protected internal override void PostStop()
    {
        _tick?.Dispose();
        _antiEntropy?.Dispose();
        _clusterDaemon.Tell(new UnsubscribeClusterEvents(Self));
    }

    protected internal override void Receive(object message)
    {
        Handle(message);
        if (_region.RouteVersion != _publishedRoutes)
        {
            PublishRoutes();
        }
    }

    private void Handle(object message)
    {
        switch (message)
        {
            case RouteCommand route:
                var id = ++_nextRequestId;
                _replyTo[id] = Sender;
                Execute(_region.Submit(id, route.Command, Now, route.SentBefore, route.UnansweredBy));
                break;
            case InboundMessage { Message: GetShardStats query } inbound:
                _transport.Send(inbound.From.Address, new ShardStats(query.QueryId, [.. _local.Counts().Where(c => c.Serving).Select(c => new ShardSessionCount(c.Shard, c.Sessions))]));
                break;
            case InboundMessage { Message: ShardStats stats } inbound:
                OnShardStats(inbound.From.Address, stats.QueryId, stats.Shards);
                break;
            case StatsQueryTimedOut timedOut:
                FinishStatsQuery(timedOut.QueryId);
                break;
            case InboundMessage { Message: ReplicaCopyAck ack } inbound:
                _replicas?.CopyAcknowledged(inbound.From.Address, ack, Now);
                break;
            case InboundMessage { Message: ReplicaDeltaAck ack } inbound:
                // For an entity told to stop (see ShardingInbox): it answers what it holds once its backups have it. Or
                // for one started since the inbox looked.
                var acked = new SessionId(ack.SessionId);
                var writer = _stopping.TryGetValue(acked, out var stopping) ? stopping.Entity
                    : _local[ack.Shard] is { } ackedShard && ackedShard.Sessions.TryGet(acked, out var ackedSlot) ? ackedSlot.Entity : null;
                writer?.Tell(new BackupAcknowledged(inbound.From.Address, ack.Epoch, ack.FromSeq, ack.ToSeq));
                break;
            case InboundMessage { Message: ReplicaDigest digest } inbound:
                Repair(inbound.From.Address, digest);
                break;
            case InboundMessage { Message: ReplicaPush push } inbound:
                MergePushed(inbound.From.Address, push);
                break;
            case BackupCopyCompleted completed:
                Execute(_region.BackupCopied(completed.Shard));
                _regionTransitions.BackupCopyCompleted(completed.Shard, Now);
                break;
            case InboundMessage { Message: ShardTransfer transfer } inbound:
                // Checked here, before the region keeps it: a hand-off is input from a peer like a delta is.
                Execute(_region.Receive(inbound.From, WithinLimits(inbound.From, transfer), Now));
                break;
            case InboundMessage { Message: ShardTransferOffer offer } inbound:
                TakeOffer(inbound.From, offer);
                break;
            case InboundMessage { Message: IRegionMessage } inbound:
                Execute(_region.Receive(inbound.From, inbound.Message, Now));
                break;
            case InboundMessage { Message: ICoordinatorMessage } inbound when _coordinator is not null:
                var phase = _coordinator.Phase;
                Execute(_coordinator.Receive(inbound.From, inbound.Message, Now));
                LogCoordinatorPhase(phase);
                break;
            case CurrentClusterState state:
                Execute(_region.MembershipChanged(state, Now));
                if (_coordinator is not null)
                {
                    var before = _coordinator.Phase;
                    Execute(_coordinator.MembershipChanged(state, Now));
                    LogCoordinatorPhase(before);
                }

                break;
            case ClusterEvent:
                // Events say that something changed; the machines want the whole view, which the daemon sends.
                _clusterDaemon.Tell(GetClusterState.Instance, Self);
                break;
            case Tick:
                // A read sent straight to a home that has become unreachable goes through the region, which asks a backup;
                // any request unanswered for resend-unanswered-after goes through the region too, which re-resolves the home.
                _remoteRequests.FailExpiredOrDeparted(
                    Now,
                    request => _region.IsLive(request.Home) && !(BackupRead.CanServe(request.Command) && _region.IsUnreachable(request.Home)),
                    _region.Settings.ResendUnansweredAfter,
                    (request, unanswered) => Self.Tell(new RouteCommand(request.Command, SentBefore: true, unanswered ? request.Home : null), request));
                Execute(_region.Tick(Now));
                _activeSessions.Recount(_local);
                _replicas?.SendCopies(Now);
                if (_replicas is { } replicas)
                {
                    _regionTransitions.FlushBackupCopies(replicas.BackupCounts, Now);
                }

                if (_coordinator is not null)
                {
                    var before = _coordinator.Phase;
                    Execute(_coordinator.Tick(Now));
                    LogCoordinatorPhase(before);
                }

                break;
            case Sweep:
                SweepSessions();
                _replicas?.Sweep(SessionNow);
                break;
            case AntiEntropy:
                foreach (var (home, digest) in _replicas?.Digests() ?? [])
                {
                    _transport.Send(home, digest);
                }

                break;
            case EntityStopped stopped:
                OnEntityStopped(stopped);
                break;
            case SessionEnded ended:
                OnSessionEnded(ended.SessionId);
                break;
            case DrainRegionCommand drain:
                Execute(_region.Drain(drain.Draining, Now));
                Sender.Tell(new RegionDrainStatus(_region.HeldShards.Length));
                break;
            case GetRegionDrainStatus:
                Sender.Tell(new RegionDrainStatus(_region.HeldShards.Length));
                break;
            case GetShardTable:
                StartStatsQuery(Sender);
                break;
            case SetRegionWeight weight:
                Execute(_region.SetWeight(weight.Weight, Now));
                Sender.Tell(new RegionWeightSet(_region.HostsShards, _region.CapacityWeight));
                break;
            case RebalanceNow:
                var rebalanced = false;
                if (_coordinator is not null && _coordinator.RebalanceNow(Now, out var rebalance))
                {
                    rebalanced = true;
                    Execute(rebalance);
                    LogCoordinatorPhase(_coordinator.Phase);
                }

                Sender.Tell(new CoordinatorAnswer(rebalanced, []));
                break;
            case GetCoordinatorRegions:
                Sender.Tell(_coordinator is { Phase: CoordinatorPhase.Active } active
                    ? new CoordinatorAnswer(true, active.Regions())
                    : new CoordinatorAnswer(false, []));
                break;
            case LocateSession locate:
                var shardOf = ShardId.Of(locate.SessionId, _local.NumberOfShards);
                var (homeOf, epochOf) = _region.HomeOf(shardOf);
                Sender.Tell(new SessionLocation(locate.SessionId, shardOf, homeOf, epochOf) { Backups = _region.BackupsOf(shardOf) });
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>Tells readers outside the actor (<see cref="ShardRoutes"/>) which remote node serves each shard.</summary>
    private void PublishRoutes()
    {
        _publishedRoutes = _region.RouteVersion;
        var self = _transport.Self.Address;
        for (var shard = 0; shard < _local.NumberOfShards; shard++)
        {
            var (home, epoch) = _region.HomeOf(shard);
            _routes.Publish(shard, home is not null && !home.Equals(self) ? home : null, epoch);
            if (home is not null && home.Equals(self) && _local[shard] is { } hosted)
            {
                hosted.Epoch = epoch;
            }
        }
    }

    /// <summary>Protocol time: what the state machines are fed.</summary>
    private DateTimeOffset Now => _protocolClock.GetUtcNow();

    /// <summary>Session time: creation and expiry.</summary>
    private DateTimeOffset SessionNow => Context.System.TimeProvider.GetUtcNow();

    private void Execute(IReadOnlyList<ShardingEffect> effects)
    {
        // Shards stop in bulk (a node out of the cluster): one line for them all.
        List<(int Shard, int Sessions)>? dropped = null;
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case SendToNode send:
                    _transport.Send(send.To, send.Message);
                    break;
                case DeliverLocally deliver:
                    var envelope = deliver.Envelope;
                    ActorRef replyTo = envelope.Origin.Equals(_transport.Self.Address)
                        ? _replyTo.Remove(envelope.RequestId, out var local) ? local : Context.System.DeadLetters
                        : new RemoteReply(_transport, envelope, Self);
                    Deliver(envelope.Shard, envelope.Command, replyTo);
                    break;
                case CompleteRequest complete:
                    if (_replyTo.Remove(complete.RequestId, out var waiting))
                    {
                        waiting.Tell(complete.Reply);
                    }

                    break;
                case StartShard start:
                    CountStart(start);
                    _regionTransitions.Started(StartShard(start.Shard, start.Sessions), Now);
                    break;
                case CollectShard collect:
                    CollectShard(collect.Shard);
                    break;
                case ResumeShard resume:
                    _collecting.Remove(resume.Shard);
                    if (_local[resume.Shard] is { } resumed)
                    {
                        resumed.Serving = true;
                    }

                    LogShard(resume.Shard, "resumed: its move was called off");
                    break;
                case DropShard drop:
                    var sessionsDropped = DropShard(drop.Shard);
                    if (drop.HandedOffTo is { } newHome)
                    {
                        _regionTransitions.HandedOff(drop.Shard, newHome, sessionsDropped, keptAsBackup: false, Now);
                    }
                    else
                    {
                        (dropped ??= []).Add((drop.Shard, sessionsDropped));
                    }

                    break;
                case ReplicateShard replicate:
                    // Read after the targets are published: every write the copy misses goes to the backup as a delta.
                    _replicas?.Replicate(
                        replicate,
                        _local[replicate.Shard] is { } hosted ? () => [.. hosted.Sessions.Slots.Select(slot => slot.State)] : null,
                        _region.Settings.TransferChunkBytes,
                        Now);
                    break;
                case KeepBackup keep:
                    if (_replicas?.Keep(keep.Shard, keep.Home, keep.Epoch) == true && _replicas.DigestOf(keep.Shard) is { } digest)
                    {
                        // A new home over this copy (most often a backup promoted over a dead home): it may lack writes
                        // only this copy holds, so the anti-entropy round that finds and merges them starts now.
                        _transport.Send(digest.Home, digest.Digest);
                    }

                    break;
                case DropBackup dropBackup:
                    _replicas?.Take(dropBackup.Shard);
                    break;
                case KeepShardAsBackup keepShard:
                    var handedOver = _local[keepShard.Shard] is { } kept ? kept.Sessions.Slots.Select(slot => slot.State).ToList() : [];
                    DropShard(keepShard.Shard);
                    _replicas?.KeepWhole(keepShard.Shard, keepShard.Home, keepShard.Epoch, handedOver);
                    _regionTransitions.HandedOff(keepShard.Shard, keepShard.Home, handedOver.Count, keptAsBackup: true, Now);
                    break;
            }
        }

        if (dropped is not null)
        {
            _regionTransitions.Dropped(dropped);
        }

        // Shards start in bulk (a dead home's shards here at once), or one by one as a rebalance round's moves are
        // confirmed; hand-offs are confirmed one by one too.
        if (_regionTransitions.HasPending)
        {
            _regionTransitions.Flush(() => _region.IsHandingOff, () => _region.IsReceiving, Now);
        }
    }

    private void Deliver(int shard, SessionCommand command, ActorRef replyTo)
    {
        if (_local[shard] is not { } hosted)
        {
            // The machine only delivers for shards it serves, which are always published; be loud if not.
            replyTo.Tell(new ShardUnavailable(shard, "the shard is not hosted here"));
            return;
        }

        if (!hosted.Sessions.TryGet(command.SessionId, out var slot))
        {
            if (command is not (CreateSession or CreateSessionFrom))
            {
                replyTo.Tell(new SessionNotFound(command.SessionId));
                return;
            }

            // A rotation (CreateSessionFrom) replaces a session, so only a brand-new one counts against the limit.
            if (command is CreateSession && _activeSessions.TryCreate() is { } refusal)
            {
                replyTo.Tell(new ShardUnavailable(shard, refusal));
                return;
            }

            slot = new SessionSlot(SessionCommands.NewSession(command.SessionId, SessionNow, _host.Settings, (command as CreateSession)?.MaxInactiveInterval), _host);
            hosted.Sessions.Add(command.SessionId, slot);
        }

        if (slot.Entity is { } entity)
        {
            entity.Tell(command, replyTo);
        }
        else if (_stopping.TryGetValue(command.SessionId, out var stopping))
        {
            (stopping.Waiting ??= []).Add((command, replyTo));
        }
        else
        {
            StartEntity(slot).Tell(command, replyTo);
        }
    }

    private ActorRef StartEntity(SessionSlot slot)
    {
        // A fresh name per incarnation: a passivated entity may still be stopping under its old one.
        var props = Props.Create(static (SessionSlot s) => new SessionEntity(s), slot);
        var entity = Context.ActorOf(_entityMailbox is { } bound ? props.WithMailbox(bound) : props, $"{slot.Id}-{++_nextEntity}");
        slot.Entity = entity;
        return entity;
    }

    /// <summary>Metrics: a shard that arrives by hand-off is a hand-off; one started here from this node's backup copy
    /// without a hand-off is a failover (its home was lost and the coordinator promoted the copy).</summary>
    private void CountStart(StartShard start)
    {
        if (start.HandedOver)
        {
            SessionClusterMetrics.Handoffs.Add(1);
        }
        else if (_replicas?.Holds(start.Shard) == true)
        {
            SessionClusterMetrics.Failovers.Add(1);
        }
    }

    private ShardStarted StartShard(int shard, ImmutableArray<SessionCrdt> sessions)
    {
        var hosted = new LocalShard();
        // A promoted backup (or a new home that was one) merges its copy in: it holds every acknowledged write, and a
        // merge with what arrived by hand-off loses nothing either way.
        var backedUp = _replicas?.Take(shard) ?? [];
        foreach (var state in sessions.Concat(backedUp))
        {
            var id = new SessionId(state.Id);
            if (hosted.Sessions.TryGet(id, out var existing))
            {
                existing.State = SessionCrdt.Merge(existing.State, state);
            }
            else
            {
                hosted.Sessions.Add(id, new SessionSlot(state, _host));
            }
        }

        hosted.Epoch = _region.HomeOf(shard).Epoch;
        hosted.StartedAt = Now;
        _local.Publish(shard, hosted);
        var count = hosted.Sessions.Count;
        _activeSessions.Arrived(count);
        return new ShardStarted(shard, sessions.Length, backedUp.Length, count);
    }

    private void CollectShard(int shard)
    {
        if (_local[shard] is not { } hosted)
        {
            Execute(_region.ShardCollected(shard, [], Now));
            return;
        }

        hosted.Serving = false;
        var running = 0;
        foreach (var slot in hosted.Sessions.Slots)
        {
            if (slot.Entity is { } entity)
            {
                StopEntityOf(slot, entity);
                running++;
            }
            else if (_stopping.ContainsKey(slot.Id))
            {
                // Passivated a moment ago and still applying what it had queued: its state is not final yet.
                running++;
            }
        }

        LogShard(shard, $"handing off: stopping {running} entities", LogLevel.Debug);
        if (running == 0)
        {
            FinishCollecting(shard, hosted);
        }
        else
        {
            _collecting[shard] = running;
        }
    }

    private void StopEntityOf(SessionSlot slot, ActorRef entity)
    {
        slot.Entity = null;
        _stopping.TryAdd(slot.Id, new StoppingEntity(entity));
        entity.Tell(StopEntity.Instance, Self);
    }

    private void OnEntityStopped(EntityStopped stopped)
    {
        var shard = ShardId.Of(stopped.SessionId, _local.NumberOfShards);
        if (_stopping.Remove(stopped.SessionId, out var stopping) && stopping.Waiting is { Count: > 0 } waiting)
        {
            // Commands that arrived while the old entity finished: a new one takes them, in order.
            if (_local[shard] is { } hosted && hosted.Sessions.TryGet(stopped.SessionId, out var slot))
            {
                var entity = StartEntity(slot);
                foreach (var (command, replyTo) in waiting)
                {
                    entity.Tell(command, replyTo);
                }

                if (!hosted.Serving && _collecting.TryGetValue(shard, out var count))
                {
                    // The shard began handing off meanwhile: these commands were accepted before, so they are
                    // applied first, and the hand-off waits for this entity too.
                    StopEntityOf(slot, entity);
                    _collecting[shard] = count + 1;
                }
            }
            else
            {
                foreach (var (command, replyTo) in waiting)
                {
                    replyTo.Tell(new SessionNotFound(command.SessionId));
                }
            }
        }

        if (_collecting.TryGetValue(shard, out var remaining))
        {
            if (remaining > 1)
            {
                _collecting[shard] = remaining - 1;
            }
            else
            {
                _collecting.Remove(shard);
                if (_local[shard] is { } hosted)
                {
                    FinishCollecting(shard, hosted);
                }
            }
        }
    }

    private void FinishCollecting(int shard, LocalShard hosted)
    {
        var now = SessionNow;
        var sessions = ImmutableArray.CreateBuilder<SessionCrdt>(hosted.Sessions.Count);
        foreach (var slot in hosted.Sessions.Slots)
        {
            // Expired and ended sessions are not worth moving; they are simply not handed over.
            var state = slot.State;
            if (!state.IsEnded && !state.IsExpired(now))
            {
                sessions.Add(state);
            }
        }

        LogShard(shard, $"collected {sessions.Count} sessions for hand-off", LogLevel.Debug);
        Execute(_region.ShardCollected(shard, sessions.ToImmutable(), Now));
    }

    /// <summary>Anti-entropy, home side: sends a backup the whole state of every session it lacks or holds differently.
    /// Sessions the backup holds that this home does not (ended and forgotten here) are left to the backup's sweep.</summary>
    private void Repair(NodeAddress backup, ReplicaDigest digest)
    {
        if (_replicas is null || _local[digest.Shard] is not { Serving: true } hosted)
        {
            return;
        }

        var targets = _replicas.TargetsOf(digest.Shard);
        if (targets.Epoch != digest.Epoch || !targets.Backups.Contains(backup))
        {
            return;
        }

        // Pulling what only the backup holds matters just after this node took the shard over (see AntiEntropyPlan).
        var plan = AntiEntropyPlan.Of(
            hosted.Sessions.Slots.Select(slot => slot.State),
            digest,
            askForMissing: Now - hosted.StartedAt <= _replicas.Settings.AntiEntropyInterval * 3);
        foreach (var state in plan.Send)
        {
            // Sequence 0 matches no entity's pending delta, so its ack counts nothing.
            _transport.Send(backup, new ReplicaDelta(digest.Shard, targets.Epoch, 0, 0, state));
        }

        for (var start = 0; start < plan.Pull.Count; start += PullBatch)
        {
            _transport.Send(backup, new ReplicaPull(digest.Shard, targets.Epoch, [.. plan.Pull.Skip(start).Take(PullBatch)]));
        }

        if (plan.Send.Count > 0 || plan.Pull.Count > 0)
        {
            LogShard(digest.Shard, $"anti-entropy sent {plan.Send.Count} sessions to {backup} and asked it for {plan.Pull.Count}");
        }
    }

    /// <summary>A backup's state of one session, asked for by <see cref="Repair"/>: merged into the session here through
    /// its entity (the one writer), which replicates whatever it adds to every backup.</summary>
    private void MergePushed(NodeAddress backup, ReplicaPush push)
    {
        if (_replicas is null || _local[push.Shard] is not { Serving: true } hosted || ShardId.Of(new SessionId(push.State.Id), _region.Settings.NumberOfShards) != push.Shard)
        {
            return;
        }

        var targets = _replicas.TargetsOf(push.Shard);
        if (targets.Epoch != push.Epoch || !targets.Backups.Contains(backup))
        {
            return;
        }

        if (SessionCommands.LimitViolation(push.State, _host.Settings) is { } violation)
        {
            SessionClusterMetrics.SessionsRejectedOverLimit.Add(1, SessionClusterMetrics.RejectedFromRepair);
            LogRejectedOverLimit(1, 1, "an anti-entropy push", backup.ToString(), push.Shard, violation);
            return;
        }

        var id = new SessionId(push.State.Id);
        var adopted = false;
        if (!hosted.Sessions.TryGet(id, out var slot))
        {
            if (push.State.IsEnded)
            {
                // Ended under a former home and already gone here (or never served here): nothing to bring back.
                return;
            }

            slot = new SessionSlot(push.State, _host);
            hosted.Sessions.Add(id, slot);
            adopted = true;
            LogShard(push.Shard, $"adopted session {id} from {backup}'s copy");
        }
        else if (slot.Entity is null && _stopping.ContainsKey(slot.Id))
        {
            // Its last entity is still stopping; the next anti-entropy round asks again.
            return;
        }

        (slot.Entity ?? StartEntity(slot)).Tell(new MergeReplicaState(push.State, adopted));
    }

    /// <summary>Stops serving the shard and forgets its sessions; returns how many it held.</summary>
    private int DropShard(int shard)
    {
        _collecting.Remove(shard);
        _replicas?.Untarget(shard);

        if (_local.Remove(shard) is not { } hosted)
        {
            return 0;
        }

        foreach (var slot in hosted.Sessions.Slots)
        {
            if (slot.Entity is { } entity)
            {
                slot.Entity = null;
                entity.Tell(PoisonPill.Instance);
            }
        }

        return hosted.Sessions.Count;
    }

    private void OnSessionEnded(SessionId id)
    {
        var shard = ShardId.Of(id, _local.NumberOfShards);
        if (_local[shard] is { } hosted && hosted.Sessions.Remove(id, out var slot) && slot.Entity is { } entity)
        {
            // Stopped, not killed: its last reply (the invalidation's) waits for the backups to hold the end tombstone.
            // Commands arriving meanwhile find no session and are answered so.
            StopEntityOf(slot, entity);
        }
    }

    /// <summary>One walk over the local sessions: ask suspected-expired entities to check themselves, remove expired
    /// sessions that have no entity, and passivate entities idle for too long.</summary>
    private void SweepSessions()
    {
        var now = SessionNow;
        var passivateAfter = _region.Settings.PassivateIdleAfter;
        foreach (var (_, hosted) in _local.All)
        {
            if (!hosted.Serving)
            {
                continue;
            }

            foreach (var slot in hosted.Sessions.Slots)
            {
                var idle = now - slot.LastAccessed;
                // A session created with its own interval (ASP.NET Core's IdleTimeout) expires by that one.
                var expired = (_host.Settings.MaxInactiveInterval > TimeSpan.Zero && idle >= _host.Settings.MaxInactiveInterval) || slot.State.IsExpired(now);
                if (slot.Entity is { } entity)
                {
                    if (expired)
                    {
                        entity.Tell(CheckSessionExpiry.Instance, Self);
                    }
                    else if (passivateAfter > TimeSpan.Zero && idle >= passivateAfter)
                    {
                        StopEntityOf(slot, entity);
                    }
                }
                else if (slot.State.IsExpired(now))
                {
                    if (_replicas is null)
                    {
                        hosted.Sessions.Remove(slot.Id, out _);
                    }
                    else
                    {
                        // The backups must hear of the end too: the entity writes the tombstone and replicates it.
                        StartEntity(slot).Tell(CheckSessionExpiry.Instance, Self);
                    }
                }
            }
        }
    }

    /// <summary>Answers <see cref="GetShardTable"/>: the homes this region knows, with session counts gathered from
    /// every home (this one directly, the others over the wire), waiting at most <see cref="StatsTimeout"/>.</summary>
    private void StartStatsQuery(ActorRef requester)
    {
        var query = new StatsQuery(requester);
        foreach (var (shard, serving, sessions) in _local.Counts())
        {
            if (serving)
            {
                query.Counts[shard] = sessions;
            }
        }

        for (var shard = 0; shard < _local.NumberOfShards; shard++)
        {
            if (_region.HomeOf(shard).Home is { } home && !home.Equals(_transport.Self.Address))
            {
                query.Waiting.Add(home);
            }
        }

        if (query.Waiting.Count == 0)
        {
            requester.Tell(ShardTableView(query.Counts));
            return;
        }

        var id = ++_nextQueryId;
        _statsQueries[id] = query;
        foreach (var home in query.Waiting)
        {
            _transport.Send(home, new GetShardStats(id));
        }

        query.Timeout = _protocolClock.CreateTimer(
            static state => ((Action)state!)(), (Action)(() => Self.Tell(new StatsQueryTimedOut(id))), StatsTimeout, Timeout.InfiniteTimeSpan);
    }

    private void OnShardStats(NodeAddress from, long queryId, ImmutableArray<ShardSessionCount> shards)
    {
        if (!_statsQueries.TryGetValue(queryId, out var query))
        {
            return;
        }

        foreach (var count in shards)
        {
            query.Counts[count.Shard] = count.Sessions;
        }

        query.Waiting.Remove(from);
        if (query.Waiting.Count == 0)
        {
            FinishStatsQuery(queryId);
        }
    }

    private void FinishStatsQuery(long queryId)
    {
        if (_statsQueries.Remove(queryId, out var query))
        {
            query.Timeout?.Dispose();
            query.Requester.Tell(ShardTableView(query.Counts));
        }
    }

    private ShardTable ShardTableView(Dictionary<int, int> counts)
    {
        var shards = ImmutableArray.CreateBuilder<ShardTableEntry>();
        for (var shard = 0; shard < _local.NumberOfShards; shard++)
        {
            var (home, epoch) = _region.HomeOf(shard);
            shards.Add(new ShardTableEntry(shard, home, epoch, counts.TryGetValue(shard, out var sessions) ? sessions : null) { Backups = _region.BackupsOf(shard) });
        }

        return new ShardTable(_region.Coordinator?.Address, shards.ToImmutable());
    }

    private void LogCoordinatorPhase(CoordinatorPhase before)
    {
        if (_coordinator is { } coordinator && coordinator.Phase != before)
        {
            LogCoordinator(coordinator.Self, coordinator.Phase, coordinator.Reign);
        }

        if (_coordinator is not null)
        {
            (_coordinatorTransitions ??= new CoordinatorTransitionLog(_logger)).Observe(_coordinator, Now);
        }
    }

    /// <summary>An offered slice of a hand-off: taken from this node's backup copy of the shard if every session there
    /// matches (its sessions were checked against the limits when the copy took them), or asked for in full.</summary>
    private void TakeOffer(UniqueAddress from, ShardTransferOffer offer)
    {
        if (_replicas?.Resolve(offer) is { } slice)
        {
            Execute(_region.Receive(from, slice, Now));
        }
        else
        {
            _transport.Send(from.Address, new ShardTransferDeclined(offer.Shard, offer.Epoch, offer.Chunk));
        }
    }

    /// <summary>The hand-off slice without the sessions that break this node's session limits (logged and counted);
    /// the slice itself is still taken and acknowledged, so its valid sessions arrive and the old home stops re-sending.</summary>
    private ShardTransfer WithinLimits(UniqueAddress from, ShardTransfer transfer)
    {
        var admission = SessionAdmission.Filter(transfer.Sessions, _host.Settings);
        if (admission.Rejected == 0)
        {
            return transfer;
        }

        SessionClusterMetrics.SessionsRejectedOverLimit.Add(admission.Rejected, SessionClusterMetrics.RejectedFromHandoff);
        LogRejectedOverLimit(admission.Rejected, transfer.Sessions.Length, "a hand-off slice", from.ToString(), transfer.Shard, admission.FirstReason!);
        return transfer with { Sessions = admission.Admitted };
    }

    // No session id in the line: an id is a credential.
    [LoggerMessage(EventId = 420, Level = LogLevel.Warning, Message = "Left out {Rejected} of {Total} sessions in {What} from {Peer} for shard {Shard}: over this node's session limits (first: {Reason}); every node should have the same session-cluster.sessions limits")]
    private partial void LogRejectedOverLimit(int rejected, int total, string what, string peer, int shard, string reason);

    [LoggerMessage(Message = "Shard {Shard} {What}")]
    private partial void LogShardMessage(LogLevel level, int shard, string what);

    private void LogShard(int shard, string what, LogLevel level = LogLevel.Information) => LogShardMessage(level, shard, what);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard coordinator on {Self}: {Phase} (reign {Reign})")]
    private partial void LogCoordinator(UniqueAddress self, CoordinatorPhase phase, long reign);

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }

    private sealed class Sweep
    {
        public static readonly Sweep Instance = new();
    }

    private sealed class AntiEntropy
    {
        public static readonly AntiEntropy Instance = new();
    }

    private sealed record StatsQueryTimedOut(long QueryId);

    /// <summary>An entity told to stop, and the commands for its session that wait for the entity after it.</summary>
    private sealed class StoppingEntity(ActorRef entity)
    {
        public ActorRef Entity { get; } = entity;

        public List<(SessionCommand Command, ActorRef ReplyTo)>? Waiting { get; set; }
    }

    /// <summary>A <see cref="GetShardTable"/> waiting for other homes' session counts.</summary>
    private sealed class StatsQuery(ActorRef requester)
    {
        public ActorRef Requester { get; } = requester;

        public Dictionary<int, int> Counts { get; } = [];

        public HashSet<NodeAddress> Waiting { get; } = [];

        public ITimer? Timeout { get; set; }
    }
}
