using SessionCluster.Actors.Runtime;

namespace SessionCluster.Actors.Sessions;

/// <summary>The one actor that owns a session: it applies commands one at a time and expires the session when idle.</summary>
/// <remarks>
/// A thin shell around <see cref="SessionCommands"/>: each command maps the slot's state to the next one, which replaces
/// it in the slot. Every command checks expiry first, so an idle session is never served a moment past its max inactive
/// interval. Reclaiming the memory of sessions nobody asks for again is the region's sweep (see <see cref="SessionSlot"/>),
/// which sends <see cref="CheckSessionExpiry"/> to the entities it suspects. Once expired or invalidated (an end
/// tombstone in the state) the entity answers <see cref="SessionNotFound"/> to anything still queued and asks its region
/// to stop it, so a request that races with expiry gets a clear answer instead of a dead letter.
/// </remarks>
public sealed class SessionEntity : Actor
{
    private readonly SessionSlot _slot;

    public SessionEntity(SessionSlot slot) => _slot = slot;

    protected internal override void Receive(object message)
    {
        switch (message)
        {
            case SessionCommand command:
                var update = SessionCommands.Apply(_slot.State, command, _slot.Host, Context.System.TimeProvider.GetUtcNow());
                Commit(update);
                Sender.Tell(update.Reply);
                break;
            case CheckSessionExpiry:
                if (SessionCommands.Expire(_slot.State, _slot.Host, Context.System.TimeProvider.GetUtcNow()) is { } expired)
                {
                    Commit(expired);
                }

                break;
            case StopEntity:
                // Everything queued before this has been applied: the state in the slot is final until a new entity starts.
                Sender.Tell(new EntityStopped(_slot.Id), Self);
                Context.Stop(Self);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Commit(SessionUpdate update)
    {
        // update.Delta is what a backup needs to be as current as this state; shipping it is the replicator's part
        // (issue 5), which does not exist yet, so nothing takes it here.
        _slot.State = update.State;
        if (update.State.IsEnded)
        {
            // Said again for each command still queued behind the end: the region drops a session once and ignores
            // repeats, and an entity started on a state that had already ended says it this way too.
            Context.Parent.Tell(new SessionEnded(_slot.Id), Self);
        }
    }
}

/// <summary>From the region's sweep to an entity it suspects is idle: end the session if it has expired.</summary>
public sealed record CheckSessionExpiry
{
    public static readonly CheckSessionExpiry Instance = new();
}

/// <summary>From an entity to its region: the session expired or was invalidated; stop routing to it.</summary>
public sealed record SessionEnded(SessionId SessionId);

/// <summary>From the region to an entity: stop after what is queued (passivation or hand-off); the session stays in its slot.</summary>
public sealed record StopEntity
{
    public static readonly StopEntity Instance = new();
}

/// <summary>From an entity to its region: stopped; its slot's state is final.</summary>
public sealed record EntityStopped(SessionId SessionId);
