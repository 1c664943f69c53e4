using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Runtime;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.Actors.Management;

/// <summary>The management side of one node, shared by every kind of host (web node, Lighthouse): carries out the
/// operator's actions, on this node or, over the cluster transport, on the node that must act, and answers such
/// requests from other nodes.</summary>
/// <remarks>
/// <para>Membership actions (leave, down) go to this node's cluster daemon, which gossips them. Actions that only the
/// target node can do (drain, weight) and the coordinator's (rebalance, its region table) travel as a
/// <see cref="ManagementRequest"/> to that node, which answers with a <see cref="ManagementReply"/>; a node that does not
/// answer within <see cref="ReplyTimeout"/> gets a 503. The token was checked by the node that took the HTTP request
/// (<see cref="ManagementAuthorization"/>); between nodes the transport's handshake secret is the proof.</para>
/// <para>Leave of a worker is a drain: the leader moves a Leaving member on to Exiting and Removed within a few gossip
/// rounds, too soon for its shards to move, so a worker asked to leave hands its shards off first (the SIGTERM path),
/// then leaves and exits.</para>
/// </remarks>
public sealed partial class NodeManagement
{
    /// <summary>How long an action waits for the acting node's answer.</summary>
    public static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(5);

    private readonly ClusterNode _cluster;
    private readonly Action _requestShutdown;
    private readonly Func<ActorRef?> _region;
    private readonly Func<NodeCounts> _counts;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<ManagementReply>> _pending = new();
    private readonly DateTimeOffset _started;
    private long _nextRequestId;
    private long _requests;

    /// <param name="cluster">This node's membership and transport.</param>
    /// <param name="settings">The node's settings (management, roles).</param>
    /// <param name="route">This node's route name, or null on a node that serves no sessions.</param>
    /// <param name="requestShutdown">Starts this node's graceful shutdown (drain, leave, exit), as SIGTERM does.</param>
    /// <param name="region">This node's shard region once started, or null (a Lighthouse has none).</param>
    /// <param name="counts">What this node holds now.</param>
    /// <param name="time">The clock.</param>
    /// <param name="loggerFactory">Where actions are logged.</param>
    public NodeManagement(
        ClusterNode cluster,
        SessionClusterSettings settings,
        string? route,
        Action requestShutdown,
        Func<ActorRef?> region,
        Func<NodeCounts> counts,
        TimeProvider time,
        ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(settings);
        _cluster = cluster;
        Settings = settings;
        Route = route;
        _requestShutdown = requestShutdown;
        _region = region;
        _counts = counts;
        _time = time;
        _logger = loggerFactory.CreateLogger<NodeManagement>();
        _started = time.GetUtcNow();
        Authorization = new ManagementAuthorization(settings.Management, time, loggerFactory.CreateLogger<ManagementAuthorization>());
        cluster.AttachManagement(OnMessage);
    }

    public SessionClusterSettings Settings { get; }

    /// <summary>Checks the token of each management request.</summary>
    public ManagementAuthorization Authorization { get; }

    /// <summary>This node's route name, or null on a node that serves no sessions.</summary>
    public string? Route { get; }

    /// <summary>This node's membership.</summary>
    public ClusterNode Cluster => _cluster;

    /// <summary>This node's shard region, or null (a Lighthouse, or before start).</summary>
    public ActorRef? Region => _region();

    /// <summary>How long this node has been running.</summary>
    public TimeSpan Uptime => _time.GetUtcNow() - _started;

    /// <summary>HTTP requests this node has taken (see <see cref="CountRequest"/>).</summary>
    public long RequestsTotal => Interlocked.Read(ref _requests);

    /// <summary>What this node holds now.</summary>
    public NodeCounts Counts() => _counts();

    /// <summary>Counts one HTTP request.</summary>
    public void CountRequest() => Interlocked.Increment(ref _requests);

    /// <summary>The member at <paramref name="address"/> leaves gracefully; a worker drains first (see remarks).</summary>
    public async Task<ManagementOutcome> LeaveAsync(NodeAddress address, CancellationToken cancellationToken)
    {
        var (member, failure) = await FindAsync(address, cancellationToken).ConfigureAwait(false);
        if (member is null)
        {
            return failure!;
        }

        LogAction("leave", address);
        if (member.HasRole(CoordinatorPlacement.WorkerRole) && member.Status == MemberStatus.Up)
        {
            // Not a plain Leave on failure: that would take the worker out before its shards had moved.
            var reply = await AskAsync(member.UniqueAddress, ManagementAction.Drain, 0, cancellationToken).ConfigureAwait(false);
            return reply.Succeeded ? ManagementOutcome.Accepted : new ManagementOutcome(reply.Status, reply.Message);
        }

        return await TellDaemonAsync(new LeaveCluster(address), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks the member at <paramref name="address"/> Down.</summary>
    public async Task<ManagementOutcome> DownAsync(NodeAddress address, CancellationToken cancellationToken)
    {
        var (member, failure) = await FindAsync(address, cancellationToken).ConfigureAwait(false);
        if (member is null)
        {
            return failure!;
        }

        LogAction("down", address);
        return await TellDaemonAsync(new DownMember(address), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks every member this node sees as unreachable Down; returns their addresses.</summary>
    public async Task<(ManagementOutcome Outcome, IReadOnlyList<NodeAddress> Downed)> DownUnreachableAsync(CancellationToken cancellationToken)
    {
        CurrentClusterState state;
        try
        {
            state = await _cluster.GetStateAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsNotRunning(exception))
        {
            return (NotRunning(exception), []);
        }

        var downed = new List<NodeAddress>();
        foreach (var node in state.Unreachable.Where(node => !node.Equals(state.Self)))
        {
            LogAction("down-unreachable", node.Address);
            var outcome = await TellDaemonAsync(new DownMember(node.Address), cancellationToken).ConfigureAwait(false);
            if (!outcome.Succeeded)
            {
                return (outcome, downed);
            }

            downed.Add(node.Address);
        }

        return (ManagementOutcome.Ok, downed);
    }

    /// <summary>The node at <paramref name="address"/> hands off its shards with their sessions, leaves and exits.</summary>
    public async Task<ManagementOutcome> DrainAsync(NodeAddress address, CancellationToken cancellationToken)
    {
        var (member, failure) = await FindAsync(address, cancellationToken).ConfigureAwait(false);
        if (member is null)
        {
            return failure!;
        }

        LogAction("drain", address);
        return await AskAsync(member.UniqueAddress, ManagementAction.Drain, 0, cancellationToken).ConfigureAwait(false) is var reply && reply.Succeeded
            ? ManagementOutcome.Accepted
            : new ManagementOutcome(reply.Status, reply.Message);
    }

    /// <summary>The worker at <paramref name="address"/> takes <paramref name="weight"/> (0 to 100) as its capacity weight.</summary>
    public async Task<ManagementOutcome> SetWeightAsync(NodeAddress address, int weight, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(weight);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(weight, (int)ManagementWireFormat.MaxWeight);
        var (member, failure) = await FindAsync(address, cancellationToken).ConfigureAwait(false);
        if (member is null)
        {
            return failure!;
        }

        if (!member.HasRole(CoordinatorPlacement.WorkerRole))
        {
            return new ManagementOutcome(400, $"{address} is not a worker (roles: {string.Join(", ", member.Roles)}): only workers host shards and have a weight.");
        }

        LogWeight(address, weight);
        var reply = await AskAsync(member.UniqueAddress, ManagementAction.SetWeight, weight, cancellationToken).ConfigureAwait(false);
        return reply.Succeeded ? ManagementOutcome.Ok : new ManagementOutcome(reply.Status, reply.Message);
    }

    /// <summary>The coordinator runs a rebalance round now.</summary>
    public async Task<ManagementOutcome> RebalanceAsync(CancellationToken cancellationToken)
    {
        var (coordinator, failure) = await CoordinatorAsync(cancellationToken).ConfigureAwait(false);
        if (coordinator is null)
        {
            return failure!;
        }

        LogAction("rebalance", coordinator.Address);
        var reply = await AskAsync(coordinator, ManagementAction.Rebalance, 0, cancellationToken).ConfigureAwait(false);
        return reply.Succeeded ? ManagementOutcome.Accepted : new ManagementOutcome(reply.Status, reply.Message);
    }

    /// <summary>The coordinator's regions, and where the coordinator is.</summary>
    public async Task<(ManagementOutcome Outcome, NodeAddress? Coordinator, IReadOnlyList<RegionSummary> Regions)> GetRegionsAsync(CancellationToken cancellationToken)
    {
        var (coordinator, failure) = await CoordinatorAsync(cancellationToken).ConfigureAwait(false);
        if (coordinator is null)
        {
            return (failure!, null, []);
        }

        var reply = await AskAsync(coordinator, ManagementAction.GetRegions, 0, cancellationToken).ConfigureAwait(false);
        return reply.Succeeded
            ? (ManagementOutcome.Ok, coordinator.Address, reply.RegionList)
            : (new ManagementOutcome(reply.Status, reply.Message), coordinator.Address, []);
    }

    /// <summary>A management message from another node (through the transport).</summary>
    private void OnMessage(UniqueAddress from, object message)
    {
        switch (message)
        {
            case ManagementReply reply:
                if (_pending.TryRemove(reply.RequestId, out var waiting))
                {
                    waiting.TrySetResult(reply);
                }

                break;
            case ManagementRequest request:
                _ = AnswerAsync(from, request);
                break;
        }
    }

    private async Task AnswerAsync(UniqueAddress from, ManagementRequest request)
    {
        ManagementReply reply;
        try
        {
            reply = await ActAsync(request, from.Address, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsNotRunning(exception))
        {
            reply = new ManagementReply(request.RequestId, 503, "The node's shard region is not running: " + exception.Message);
        }
        catch (Exception exception)
        {
            // Nobody awaits this task: answer and log rather than leave the requester to time out without a reason.
            LogActionFailed(request.Action, from.Address, exception);
            reply = new ManagementReply(request.RequestId, 500, $"{request.Action} failed on {_cluster.Self.Address}: {exception.Message}");
        }

        _cluster.Transport.Send(from.Address, reply);
        if (request.Action == ManagementAction.Drain && reply.Succeeded)
        {
            // After the answer is on its way: the shutdown stops the transport eventually.
            _requestShutdown();
        }
    }

    /// <summary>Carries out a request on this node.</summary>
    private async Task<ManagementReply> ActAsync(ManagementRequest request, NodeAddress requester, CancellationToken cancellationToken)
    {
        var self = _cluster.Self.Address;
        switch (request.Action)
        {
            case ManagementAction.Drain:
                LogDrainRequested(self, requester);
                return new ManagementReply(request.RequestId, 202, string.Empty);
            case ManagementAction.SetWeight:
                if (_region() is not { } region)
                {
                    return new ManagementReply(request.RequestId, 400, $"{self} hosts no shard region: only workers have a weight.");
                }

                var set = await region.Ask<RegionWeightSet>(new SetRegionWeight(request.Weight), ReplyTimeout, cancellationToken).ConfigureAwait(false);
                return set.HostsShards
                    ? new ManagementReply(request.RequestId, 200, string.Empty)
                    : new ManagementReply(request.RequestId, 400, $"{self} is not a worker: only workers host shards and have a weight.");
            case ManagementAction.Rebalance or ManagementAction.GetRegions:
                if (_region() is not { } coordinatorRegion)
                {
                    return new ManagementReply(request.RequestId, 503, $"{self} hosts no coordinator; the coordinator lives on the oldest Up worker.");
                }

                var answer = await coordinatorRegion.Ask<CoordinatorAnswer>(
                    request.Action == ManagementAction.Rebalance ? RebalanceNow.Instance : GetCoordinatorRegions.Instance,
                    ReplyTimeout,
                    cancellationToken).ConfigureAwait(false);
                return answer.Active
                    ? new ManagementReply(request.RequestId, request.Action == ManagementAction.Rebalance ? 202 : 200, string.Empty, [.. answer.Regions])
                    : new ManagementReply(request.RequestId, 503, $"{self} is not the active coordinator (it is rebuilding its table, or the post has moved); try again.");
            default:
                return new ManagementReply(request.RequestId, 400, $"Unknown management action {request.Action}.");
        }
    }

    /// <summary>Sends a request to <paramref name="target"/> (or acts here if it is this node) and waits for the answer.</summary>
    private async Task<ManagementReply> AskAsync(UniqueAddress target, ManagementAction action, double weight, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextRequestId);
        var request = new ManagementRequest(id, action, weight);
        if (target.Address.Equals(_cluster.Self.Address))
        {
            try
            {
                var reply = await ActAsync(request, target.Address, cancellationToken).ConfigureAwait(false);
                if (action == ManagementAction.Drain && reply.Succeeded)
                {
                    // Let the HTTP answer go first; the host then stops taking requests and drains.
                    _ = Task.Run(_requestShutdown, CancellationToken.None);
                }

                return reply;
            }
            catch (Exception exception) when (IsNotRunning(exception))
            {
                return new ManagementReply(id, 503, "This node's shard region is not running: " + exception.Message);
            }
        }

        var waiting = new TaskCompletionSource<ManagementReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = waiting;
        try
        {
            if (!_cluster.Transport.Send(target.Address, request))
            {
                return new ManagementReply(id, 503, $"Could not send to {target.Address}: its outbound queue is full or the transport is stopping.");
            }

            return await waiting.Task.WaitAsync(ReplyTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return new ManagementReply(id, 503, $"{target.Address} did not answer within {ReplyTimeout.TotalSeconds:0} s.");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task<(Member? Member, ManagementOutcome? Failure)> FindAsync(NodeAddress address, CancellationToken cancellationToken)
    {
        try
        {
            var state = await _cluster.GetStateAsync(cancellationToken).ConfigureAwait(false);
            var member = state.Members.Where(m => m.Address.Equals(address) && m.Status != MemberStatus.Removed).OrderBy(m => m.Status == MemberStatus.Up ? 0 : 1).FirstOrDefault();
            return member is null
                ? (null, new ManagementOutcome(404, $"{address} is not a member of the cluster; GET /cluster/members lists the members."))
                : (member, null);
        }
        catch (Exception exception) when (IsNotRunning(exception))
        {
            return (null, NotRunning(exception));
        }
    }

    private async Task<(UniqueAddress? Coordinator, ManagementOutcome? Failure)> CoordinatorAsync(CancellationToken cancellationToken)
    {
        try
        {
            var state = await _cluster.GetStateAsync(cancellationToken).ConfigureAwait(false);
            return CoordinatorPlacement.Choose(state.Members) is { } coordinator
                ? (coordinator, null)
                : (null, new ManagementOutcome(503, "No worker is Up, so there is no coordinator."));
        }
        catch (Exception exception) when (IsNotRunning(exception))
        {
            return (null, NotRunning(exception));
        }
    }

    private async Task<ManagementOutcome> TellDaemonAsync(object command, CancellationToken cancellationToken)
    {
        try
        {
            await _cluster.Daemon.Ask<ClusterCommandAccepted>(command, ReplyTimeout, cancellationToken).ConfigureAwait(false);
            return ManagementOutcome.Accepted;
        }
        catch (Exception exception) when (IsNotRunning(exception))
        {
            return NotRunning(exception);
        }
    }

    private static bool IsNotRunning(Exception exception) => exception is AskTimeoutException or ActorTerminatedException or InvalidOperationException;

    private static ManagementOutcome NotRunning(Exception exception) => new(503, "The cluster node is not running: " + exception.Message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Management action {Action} asked by {Requester} failed")]
    private partial void LogActionFailed(ManagementAction action, NodeAddress requester, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Management action {Action} on {Address}")]
    private partial void LogAction(string action, NodeAddress address);

    [LoggerMessage(Level = LogLevel.Information, Message = "Management action weight {Weight} on {Address}")]
    private partial void LogWeight(NodeAddress address, int weight);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Self}: drain requested by {Requester}; handing off shards, then leaving and exiting")]
    private partial void LogDrainRequested(NodeAddress self, NodeAddress requester);
}
