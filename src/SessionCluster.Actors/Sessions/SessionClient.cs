using SessionCluster.Actors.Runtime;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.Actors.Sessions;

/// <summary>How callers outside the actor world (HTTP endpoints) talk to sessions: straight to a local entity when the
/// session lives here, otherwise through the node's shard region, which finds the session's home.</summary>
public sealed class SessionClient(LocalShards local, SessionSettings settings)
{
    // The region answers a request it cannot place with ShardUnavailable once request-timeout has passed; the Ask
    // waits a little longer so that this clearer answer, not a bare timeout, is what the caller normally sees.
    private static readonly TimeSpan AskMargin = TimeSpan.FromSeconds(1);

    private volatile ActorRef? _region;
    private volatile DirectRoute? _direct;

    public SessionSettings Settings => settings;

    /// <summary>The longest <see cref="Send"/> waits before it answers or throws: a local entity that stopped at the
    /// last moment, then a remote home that never answered.</summary>
    public TimeSpan LongestWait => settings.RequestTimeout * 3 + AskMargin;

    /// <summary>Sends a command to the session's entity, wherever it lives, and returns its reply
    /// (<see cref="ShardUnavailable"/> when the session's shard cannot be reached now).</summary>
    /// <exception cref="AskTimeoutException">Nothing answered within the request timeout.</exception>
    public async Task<object> Send(SessionCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var shard = ShardId.Of(command.SessionId, local.NumberOfShards);
        if (command is not CreateSession && local.TryGetEntity(shard, command.SessionId, long.MaxValue, out var entity))
        {
            try
            {
                return await entity.Ask<object>(command, settings.RequestTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (ActorTerminatedException)
            {
                // Passivated, handed off or ended between the lookup and the Ask: the region knows what became of it.
            }
        }

        if (_region is not { } region)
        {
            return new ShardUnavailable(shard, "the node is still starting");
        }

        if (_direct is { } direct && direct.TrySend(command, shard) is { } sent)
        {
            // Straight to the remote home, one hop, no mailbox on this side. The region's tick answers it by its deadline
            // (or hands it to the region, resent); this bound only keeps a request whose hand-back was lost (a region
            // stopping meanwhile) from waiting forever, as every Ask has one.
            try
            {
                return await sent.WaitAsync(settings.RequestTimeout * 2 + AskMargin, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return new ShardUnavailable(shard, "the shard's home did not answer in time", MayHaveApplied: true);
            }
        }

        return await region.Ask<object>(new RouteCommand(command), settings.RequestTimeout + AskMargin, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Mints a new session (its id here, its home by its shard). Reply: <see cref="SessionSnapshot"/>, or
    /// <see cref="ShardUnavailable"/>.</summary>
    public Task<object> Create(CancellationToken cancellationToken) => Send(new CreateSession(SessionId.New()), cancellationToken);

    /// <summary>
    /// Sends <paramref name="command"/> to the session <paramref name="id"/> if it exists; otherwise (no id, or one
    /// that is unknown, expired or invalidated) to a freshly minted session. Returns the reply and the id that answered.
    /// </summary>
    public async Task<(object Reply, SessionId Id, bool Created)> SendOrCreate(
        SessionId? id, Func<SessionId, SessionCommand> command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (id is { } existing)
        {
            var reply = await Send(command(existing), cancellationToken).ConfigureAwait(false);
            if (reply is not SessionNotFound)
            {
                return (reply, existing, false);
            }
        }

        // One round trip either way: a write rides on the creation, and a read of the session just made is answered by
        // the creation's snapshot (a client without a cookie, a first visit or a load generator, mostly reads).
        var newId = SessionId.New();
        var then = command(newId);
        var create = new CreateSession(newId);
        if (create.IsFirstWrite(then))
        {
            return (await Send(create with { Then = then }, cancellationToken).ConfigureAwait(false), newId, true);
        }

        var created = await Send(create, cancellationToken).ConfigureAwait(false);
        if (created is not SessionSnapshot snapshot)
        {
            return (created, default, true);
        }

        return then switch
        {
            GetSession => (snapshot, snapshot.Id, true),
            GetAttribute read => (new AttributeValue(read.Name, snapshot.Attributes.FirstOrDefault(pair => pair.Key == read.Name).Value), snapshot.Id, true),
            _ => (await Send(then, cancellationToken).ConfigureAwait(false), snapshot.Id, true),
        };
    }

    /// <summary>
    /// Gives the session <paramref name="id"/> a new id, with the same attributes, and ends the old id for good (Tomcat's
    /// changeSessionIdOnAuthentication: call it after a login so that an id known before it, perhaps planted by an
    /// attacker, is worth nothing after it). Reply: the new session's <see cref="SessionSnapshot"/>; or
    /// <see cref="SessionNotFound"/> (the old id is unknown or ended: nothing to rotate), <see cref="ShardUnavailable"/>,
    /// or <see cref="SessionRejected"/> (the new home's limits refuse the attributes).
    /// </summary>
    /// <remarks>
    /// The new id usually hashes to another shard, so this cannot be one command: the attributes are read, a session is
    /// created from them under the new id (<see cref="CreateSessionFrom"/>), and only then is the old one ended, on the
    /// condition that nothing was written to it since the copy (<see cref="EndRotatedSession"/>); if something was, the
    /// copy is redone from its answer, at most <see cref="RotateAttempts"/> times. So no acknowledged write is lost, and a
    /// failure at any step leaves the old session serving (a new one left behind, never cookied, just expires). Each step
    /// is idempotent (the new id is minted once, here), so retries inside the cluster are safe.
    /// </remarks>
    /// <exception cref="AskTimeoutException">A step got no answer within the request timeout.</exception>
    public async Task<object> Rotate(SessionId id, CancellationToken cancellationToken)
    {
        var current = await Send(new GetSession(id), cancellationToken).ConfigureAwait(false);
        var newId = SessionId.New();
        for (var attempt = 0; attempt < RotateAttempts; attempt++)
        {
            if (current is not SessionSnapshot source)
            {
                return current;
            }

            var copy = await Send(new CreateSessionFrom(newId, source.Attributes), cancellationToken).ConfigureAwait(false);
            if (copy is not SessionSnapshot created)
            {
                return copy;
            }

            var ended = await Send(new EndRotatedSession(id, source.Attributes), cancellationToken).ConfigureAwait(false);
            switch (ended)
            {
                case SessionInvalidated:
                    return created;
                case SessionNotFound:
                    // The old session ended meanwhile (invalidated, expired): the copy must not outlive it.
                    await Send(new InvalidateSession(newId), cancellationToken).ConfigureAwait(false);
                    return ended;
                default:
                    current = ended;   // written to since the copy (a snapshot), or unavailable: copy again, or give up
                    break;
            }
        }

        return current is SessionSnapshot
            ? new ShardUnavailable(ShardId.Of(id, local.NumberOfShards), $"the session kept changing during {RotateAttempts} attempts to rotate its id")
            : current;
    }

    /// <summary>Copies a rotation makes before giving up on a session that is written to all the time.</summary>
    public const int RotateAttempts = 3;

    /// <summary>Connects the client to the node's region once the node has joined its cluster.</summary>
    internal void Attach(ActorRef region, DirectRoute? direct = null)
    {
        _direct = direct;
        _region = region;
    }
}
