using SessionCluster.Actors.Runtime;

namespace SessionCluster.Actors.Sessions;

/// <summary>Hosts this node's session entities: mints new sessions and routes each command to its entity.</summary>
/// <remarks>
/// The region is the only creator of entities, and it creates them only for ids it minted itself, so an id a
/// client invents is never adopted. When an entity reports <see cref="SessionEnded"/>, the region forgets it first
/// and then sends it a <see cref="PoisonPill"/>: commands already forwarded are answered by the ending entity,
/// later ones by the region, and none reaches a stopped mailbox.
/// </remarks>
public sealed class SessionRegion(SessionSettings settings, string owner, SessionDirectory directory) : Actor
{

    /// <summary>How many live sessions this region hosts.</summary>
    public sealed record CountSessions
    {
        public static readonly CountSessions Instance = new();
    }

    private const string SweepKey = "expiry-sweep";

    protected internal override void PreStart()
    {
        if (settings.MaxInactiveInterval > TimeSpan.Zero)
        {
            Context.Timers.StartPeriodicTimer(SweepKey, ExpirySweep.Instance, settings.ExpiryCheckInterval);
        }
    }

    protected internal override void Receive(object message)
    {
        switch (message)
        {
            case ExpirySweep:
                var now = Context.System.TimeProvider.GetUtcNow();
                foreach (var slot in directory.Slots)
                {
                    if (now - slot.LastAccessed >= settings.MaxInactiveInterval)
                    {
                        slot.Entity.Tell(CheckSessionExpiry.Instance, Self);
                    }
                }

                break;
            case CreateSession create:
                Sender.Tell(Create(create.SessionId));
                break;
            case SessionCommand command:
                if (directory.TryGet(command.SessionId, out var entity))
                {
                    entity.Forward(command, Context);
                }
                else
                {
                    Sender.Tell(new SessionNotFound(command.SessionId));
                }

                break;
            case SessionEnded ended:
                if (directory.Remove(ended.SessionId, out var ending))
                {
                    ending.Tell(PoisonPill.Instance);
                }

                break;
            case CountSessions:
                Sender.Tell(directory.Count);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private SessionSnapshot Create(SessionId id)
    {
        var state = new SessionState(id, Context.System.TimeProvider.GetUtcNow(), settings.MaxInactiveInterval);
        var slot = new SessionSlot(state, settings, owner);
        slot.Entity = Context.ActorOf(Props.Create(static (SessionSlot s) => new SessionEntity(s), slot), id.ToString());
        directory.Add(id, slot);
        return state.ToSnapshot(owner);
    }

    /// <summary>The periodic walk over the directory that finds sessions idle past their interval.</summary>
    private sealed class ExpirySweep
    {
        public static readonly ExpirySweep Instance = new();
    }
}
