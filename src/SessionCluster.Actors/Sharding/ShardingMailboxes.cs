using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Runtime;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Actors.Sharding;

/// <summary>The bounded mailboxes of the region actor and of session entities: what they may refuse when full, and the
/// <see cref="ShardUnavailable"/> answer a refused request gets (503 with Retry-After at the web layer, as for a full
/// region buffer).</summary>
/// <remarks>Only requests are refused: a client can repeat them, and each is answered. Everything else these actors
/// receive (membership, coordinator and replication messages, acknowledgements, ticks, the region's own hand-backs) is
/// always queued: it is bounded by the protocols, and dropping it would stall a hand-off or a reply.</remarks>
public static class ShardingMailboxes
{
    /// <summary>The region's bound: local requests (<see cref="RouteCommand"/>) and requests from other nodes'
    /// regions (<see cref="ShardEnvelope"/>); null if <see cref="ShardingSettings.RegionMailboxCapacity"/> is 0.</summary>
    public static MailboxBound? Region(ShardingSettings settings, ITransport transport)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(transport);
        var capacity = settings.RegionMailboxCapacity;
        if (capacity == 0)
        {
            return null;
        }

        var reason = $"this node's shard region is overloaded ({capacity} messages queued)";
        return new MailboxBound(
            capacity,
            static message => message is RouteCommand or InboundMessage { Message: ShardEnvelope },
            (message, sender) =>
            {
                switch (message)
                {
                    case RouteCommand route:
                        // A re-routed request (SentBefore) may have been applied at the home that went away.
                        sender?.Tell(new ShardUnavailable(ShardId.Of(route.Command.SessionId, settings.NumberOfShards), reason, route.SentBefore));
                        break;
                    case InboundMessage { Message: ShardEnvelope envelope }:
                        transport.Send(envelope.Origin, new ShardReply(envelope.RequestId, new ShardUnavailable(envelope.Shard, reason)));
                        break;
                }
            });
    }

    /// <summary>A session entity's bound: the session's commands, but never <see cref="EndRotatedSession"/> (the second
    /// half of an id rotation, which must end the old id); null if <see cref="ShardingSettings.EntityMailboxCapacity"/> is 0.</summary>
    public static MailboxBound? Entity(ShardingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var capacity = settings.EntityMailboxCapacity;
        if (capacity == 0)
        {
            return null;
        }

        var reason = $"the session is overloaded ({capacity} requests queued for it)";
        return new MailboxBound(
            capacity,
            static message => message is SessionCommand and not EndRotatedSession,
            (message, sender) => sender?.Tell(new ShardUnavailable(ShardId.Of(((SessionCommand)message).SessionId, settings.NumberOfShards), reason)));
    }
}
