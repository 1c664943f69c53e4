using SessionCluster.Actors.Runtime;

namespace SessionCluster.Actors.Sessions;

/// <summary>What each command does to a session's state and what it answers: the rules, with no actor around them.</summary>
/// <remarks>The entity is the single writer that calls this; simulations call it directly. Expiry and invalidation
/// (which end the session) are the caller's business: <see cref="InvalidateSession"/> only yields its reply here.</remarks>
public static class SessionCommands
{
    /// <summary>Applies <paramref name="command"/> to <paramref name="state"/> and returns the reply.</summary>
    public static object Apply(SessionState state, SessionCommand command, SessionSettings settings, string owner)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(settings);
        return command switch
        {
            GetSession or TouchSession or CreateSession => state.ToSnapshot(owner),
            GetAttribute get => new AttributeValue(get.Name, state.Get(get.Name)),
            SetAttribute set => state.Set(set.Name, set.JsonValue, settings) ?? (object)state.ToSnapshot(owner),
            RemoveAttribute remove => RemoveAndSnapshot(state, remove.Name, owner),
            IncrementAttribute increment => state.Increment(increment.Name, increment.By, settings) switch
            {
                (_, { } rejected) => rejected,
                (var value, null) => new AttributeValue(increment.Name, AttributeJson.FromInteger(value)),
            },
            InvalidateSession => new SessionInvalidated(state.Id),
            _ => new StatusFailure(new NotSupportedException($"Unknown session command {command.GetType().Name}.")),
        };
    }

    private static SessionSnapshot RemoveAndSnapshot(SessionState state, string name, string owner)
    {
        state.Remove(name);
        return state.ToSnapshot(owner);
    }
}
