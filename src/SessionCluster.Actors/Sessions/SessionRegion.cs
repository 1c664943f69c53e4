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

    protected internal override void Receive(object message)
    {
        switch (message)
        {
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
            case CreateSession:
                Sender.Tell(Create());
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

    private SessionSnapshot Create()
    {
        var id = SessionId.New();
        var state = new SessionState(id, Context.System.TimeProvider.GetUtcNow(), settings.MaxInactiveInterval);
        directory.Add(id, Context.ActorOf(Props.Create(() => new SessionEntity(state, settings, owner)), id.ToString()));
        return state.ToSnapshot(owner);
    }
}
