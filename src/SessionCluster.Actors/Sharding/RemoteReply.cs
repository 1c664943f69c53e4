using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Runtime;

namespace SessionCluster.Actors.Sharding;

/// <summary>Where an entity's reply to a request from another node goes: back over the transport to the region the
/// request entered through.</summary>
/// <remarks>If the entity had stopped by the time the command reached it (passivated, or its shard began a hand-off),
/// the command goes to the region instead, which knows what became of the session; so a request delivered straight
/// to an entity is never lost to a race with its stopping.</remarks>
internal sealed class RemoteReply(ITransport transport, ShardEnvelope envelope, ActorRef region) : ActorRef, IUndeliveredHandler
{
    public override string Path => $"/temp/remote-reply/{envelope.Origin}/{envelope.RequestId}";

    public override void Tell(object message, ActorRef? sender = null) =>
        transport.Send(envelope.Origin, new ShardReply(envelope.RequestId, message));

    public void OnUndelivered(object message) => region.Tell(new InboundMessage(new UniqueAddress(envelope.Origin, 0), envelope));
}
