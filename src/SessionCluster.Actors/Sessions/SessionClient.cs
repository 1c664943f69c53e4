using SessionCluster.Actors.Runtime;

namespace SessionCluster.Actors.Sessions;

/// <summary>How callers outside the actor world (HTTP endpoints) talk to sessions: Ask with the configured timeout.</summary>
public sealed class SessionClient(ActorRef region, SessionDirectory directory, SessionSettings settings)
{
    public SessionSettings Settings => settings;

    /// <summary>Sends a command to the session's entity and returns its reply.</summary>
    /// <exception cref="AskTimeoutException">The session did not answer within <see cref="SessionSettings.RequestTimeout"/>.</exception>
    public async Task<object> Send(SessionCommand command, CancellationToken cancellationToken)
    {
        if (!directory.TryGet(command.SessionId, out var entity))
        {
            return new SessionNotFound(command.SessionId);
        }

        try
        {
            return await entity.Ask<object>(command, settings.RequestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (ActorTerminatedException)
        {
            // The session ended between the directory lookup and the Ask.
            return new SessionNotFound(command.SessionId);
        }
    }

    /// <summary>Mints a new session.</summary>
    public Task<SessionSnapshot> Create(CancellationToken cancellationToken) =>
        region.Ask<SessionSnapshot>(new CreateSession(SessionId.New()), settings.RequestTimeout, cancellationToken);

    /// <summary>
    /// Sends <paramref name="command"/> to the session <paramref name="id"/> if it exists; otherwise (no id, or one
    /// that is unknown, expired or invalidated) to a freshly minted session. Returns the reply and the id that answered.
    /// </summary>
    public async Task<(object Reply, SessionId Id, bool Created)> SendOrCreate(
        SessionId? id, Func<SessionId, SessionCommand> command, CancellationToken cancellationToken)
    {
        if (id is { } existing)
        {
            var reply = await Send(command(existing), cancellationToken).ConfigureAwait(false);
            if (reply is not SessionNotFound)
            {
                return (reply, existing, false);
            }
        }

        var created = await Create(cancellationToken).ConfigureAwait(false);
        return (await Send(command(created.Id), cancellationToken).ConfigureAwait(false), created.Id, true);
    }
}
