using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Runtime;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Actors.Sharding;

/// <summary>Where the transport's reader hands this node's sharding messages: most to the region's mailbox, but the
/// hot ones straight to where they end up.</summary>
/// <remarks>
/// A command for an entity running here under the current allocation goes straight to the entity (should it have
/// stopped meanwhile, <see cref="RemoteReply"/> hands the command back to the region). A reply to a request sent
/// straight to a remote home completes that request (<see cref="RemoteRequests"/>). A refusal of such a request goes
/// to the region, with the request, which re-resolves the home and answers it.
/// </remarks>
/// <param name="region">The region actor.</param>
/// <param name="remoteRequests">Requests sent straight to remote homes.</param>
/// <param name="localShards">The shards served here.</param>
/// <param name="transport">Where answers go.</param>
/// <param name="replicas">This node's backup copies; null on a front node.</param>
/// <param name="owner">This node's route: the owner a read answered from a backup copy names.</param>
public sealed class ShardingInbox(ActorRef region, RemoteRequests remoteRequests, LocalShards localShards, ITransport transport, ShardReplicas? replicas = null, string owner = "")
{
    /// <summary>Takes one message the transport delivered.</summary>
    public void OnMessage(UniqueAddress from, object message)
    {
        switch (message)
        {
            case ShardEnvelope { Command: not CreateSession } envelope
                when localShards.TryGetEntity(envelope.Shard, envelope.Command.SessionId, envelope.Epoch, out var entity):
                // Run on the reader's thread if the entity is idle: a hop to another thread would cost more than the turn.
                entity.TellAndRunHereIfIdle(envelope.Command, new RemoteReply(transport, envelope, region));
                break;
            case ShardReply { RequestId: < 0 } reply:
                if (remoteRequests.TryTake(reply.RequestId, out var answered))
                {
                    answered.Tell(reply.Reply);
                }

                break;
            case ShardNotHere { RequestId: < 0 } notHere:
                if (remoteRequests.TryTake(notHere.RequestId, out var redirected))
                {
                    region.Tell(new InboundMessage(from, message));
                    region.Tell(new RouteCommand(redirected.Command), redirected);
                }

                break;
            case ReplicaDelta delta:
                // Merged on the reader's thread: a backup takes deltas at the home's write rate, which a hop through
                // the region's mailbox would cap.
                replicas?.OnDelta(from, delta);
                break;
            case ReplicaCopy slice:
                if (replicas?.OnCopy(from, slice) == true)
                {
                    region.Tell(new BackupCopyCompleted(slice.Shard));
                }

                break;
            case ReplicaPull pull:
                replicas?.Pull(from, pull);
                break;
            case BackupRead read:
                var answer = replicas?.Read(read, owner) is { } fromCopy
                    ? new ShardReply(read.RequestId, fromCopy)
                    : (object)new ShardNotHere(read.RequestId, read.Shard, null, read.Epoch);
                transport.Send(read.Origin, answer);
                break;
            case ReplicaDeltaAck ack:
                if (localShards[ack.Shard] is { } hosted && hosted.Sessions.TryGet(new SessionId(ack.SessionId), out var slot))
                {
                    if (slot.Entity is { } writer)
                    {
                        writer.TellAndRunHereIfIdle(new BackupAcknowledged(from.Address, ack.Epoch, ack.FromSeq, ack.ToSeq), null);
                    }
                    else
                    {
                        // No entity in the slot: it may be stopping (hand-off, passivation) and still holding replies
                        // that wait for exactly this; the region knows the stopping entities.
                        region.Tell(new InboundMessage(from, message));
                    }
                }
                else
                {
                    // Its entity may be stopping (passivation, hand-off) and still waiting for this: the region knows it.
                    region.Tell(new InboundMessage(from, message));
                }

                break;
            default:
                region.Tell(new InboundMessage(from, message));
                break;
        }
    }
}
