using System.Collections.Concurrent;
using SessionCluster.Actors.Runtime;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Actors.Sharding;

/// <summary>Requests this node sent straight to a remote home (see <see cref="ShardRoutes"/>), waiting for their reply.</summary>
/// <remarks>
/// Their ids are negative, so they never collide with the region's own (positive) request ids on the same link. The
/// transport's reader completes them directly; a <see cref="ShardNotHere"/> hands the command to the region, which
/// re-resolves the home; the region's tick fails those past their deadline or whose home left, with a 503.
/// </remarks>
public sealed class RemoteRequests(TimeProvider clock, TimeSpan timeout)
{
    private readonly ConcurrentDictionary<long, RemoteRequest> _waiting = new();
    private long _last;

    /// <summary>How many are waiting now.</summary>
    public int Count => _waiting.Count;

    /// <summary>Registers a request about to be sent to <paramref name="home"/>.</summary>
    public RemoteRequest Register(SessionCommand command, int shard, NodeAddress home)
    {
        var now = clock.GetUtcNow();
        var request = new RemoteRequest(Interlocked.Decrement(ref _last), command, shard, home, now, now + timeout);
        _waiting[request.Id] = request;
        return request;
    }

    /// <summary>Takes the request out if it is still waiting (its reply, a redirect or a failure arrived).</summary>
    public bool TryTake(long id, out RemoteRequest request) => _waiting.TryRemove(id, out request!);

    /// <summary>Fails the requests past their deadline, and hands back those that should no longer wait for their home.</summary>
    /// <param name="now">Protocol time.</param>
    /// <param name="stillWaits">Whether a request should go on waiting for its home (false: the home left the cluster,
    /// or it is a read and the home is unreachable, so a backup can answer it).</param>
    /// <param name="resendAfter">A request unanswered this long stops waiting too (its message or reply may be lost), if
    /// its command repeats safely later (<see cref="SessionCommand.RepeatsSafelyLater"/>); zero: never.</param>
    /// <param name="resend">Takes a request that should not wait, to send again (the region re-routes it), and whether
    /// it is because nothing answered (rather than the home's departure).</param>
    internal void FailExpiredOrDeparted(
        DateTimeOffset now, Func<RemoteRequest, bool> stillWaits, TimeSpan resendAfter, Action<RemoteRequest, bool> resend)
    {
        foreach (var (id, request) in _waiting)
        {
            var expired = request.Deadline <= now;
            var departed = !expired && !stillWaits(request);
            var unanswered = !expired && !departed && resendAfter > TimeSpan.Zero && now - request.SentAt >= resendAfter &&
                request.Command.RepeatsSafelyLater;
            if ((expired || departed || unanswered) && _waiting.TryRemove(id, out _))
            {
                if (!expired)
                {
                    // Every command is idempotent (see SessionCommand): the next home answers it as if it were the first.
                    resend(request, unanswered);
                    continue;
                }

                request.Tell(new ShardUnavailable(request.Shard, "the shard's home did not answer in time", MayHaveApplied: true));
            }
        }
    }
}

/// <summary>One request sent straight to a remote home; it is also where its reply goes (it completes <see cref="Task"/>).</summary>
public sealed class RemoteRequest : ActorRef
{
    private readonly TaskCompletionSource<object> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal RemoteRequest(long id, SessionCommand command, int shard, NodeAddress home, DateTimeOffset sentAt, DateTimeOffset deadline)
    {
        Id = id;
        SentAt = sentAt;
        Command = command;
        Shard = shard;
        Home = home;
        Deadline = deadline;
    }

    public long Id { get; }

    public SessionCommand Command { get; }

    public int Shard { get; }

    public NodeAddress Home { get; }

    /// <summary>When it was sent.</summary>
    public DateTimeOffset SentAt { get; }

    public DateTimeOffset Deadline { get; }

    /// <summary>The reply: a session reply, or <see cref="ShardUnavailable"/>.</summary>
    public Task<object> Task => _reply.Task;

    public override string Path => $"/temp/remote-request{Id}";

    public override void Tell(object message, ActorRef? sender = null) => _reply.TrySetResult(message);
}
