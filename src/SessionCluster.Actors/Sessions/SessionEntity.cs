using SessionCluster.Actors.Runtime;

namespace SessionCluster.Actors.Sessions;

/// <summary>The one actor that owns a session: it applies commands one at a time and expires the session when idle.</summary>
/// <remarks>
/// Every command checks expiry first, so an idle session is never served a moment past its max inactive interval.
/// Reclaiming the memory of sessions nobody asks for again is the region's sweep (see <see cref="SessionSlot"/>),
/// which sends <see cref="CheckSessionExpiry"/> to the entities it suspects. Once expired or invalidated the entity
/// answers <see cref="SessionNotFound"/> to anything still queued and asks its region to stop it, so a request that
/// races with expiry gets a clear answer instead of a dead letter.
/// </remarks>
public sealed class SessionEntity : Actor
{
    private readonly SessionSlot _slot;
    private bool _ended;

    public SessionEntity(SessionSlot slot) => _slot = slot;


    protected internal override void Receive(object message)
    {
        if (message is StopEntity)
        {
            // Everything queued before this has been applied: the state in the slot is final until a new entity starts.
            Sender.Tell(new EntityStopped(_slot.State.Id), Self);
            Context.Stop(Self);
            return;
        }

        if (message is CheckSessionExpiry)
        {
            if (_slot.State.IsExpired(Context.System.TimeProvider.GetUtcNow()))
            {
                End();
            }

            return;
        }

        if (message is not SessionCommand command)
        {
            Unhandled(message);
            return;
        }

        var now = Context.System.TimeProvider.GetUtcNow();
        if (_ended || _slot.State.IsExpired(now))
        {
            End();
            Sender.Tell(new SessionNotFound(command.SessionId));
            return;
        }

        _slot.State.Touch(now);
        _slot.Touch(now);
        Sender.Tell(Apply(command));
    }

    private object Apply(SessionCommand command)
    {
        var reply = SessionCommands.Apply(_slot.State, command, _slot.Settings, _slot.Owner);
        if (reply is SessionInvalidated)
        {
            End();
        }

        return reply;
    }

    private void End()
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        Context.Parent.Tell(new SessionEnded(_slot.State.Id), Self);
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
