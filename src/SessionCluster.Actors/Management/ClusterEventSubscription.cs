using System.Threading.Channels;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Runtime;

namespace SessionCluster.Actors.Management;

/// <summary>One subscriber's feed of this node's cluster events (for <c>GET /cluster/events</c>): first a
/// <see cref="CurrentClusterState"/>, then every <see cref="ClusterEvent"/> as the daemon publishes it.</summary>
/// <remarks>A small actor subscribes to the daemon and writes what it gets to a bounded channel, so a slow reader never
/// holds the daemon up; if the reader falls <see cref="Capacity"/> events behind, the feed ends (the reader completes)
/// rather than silently skip a change. The feed also ends when the cluster side stops.</remarks>
public sealed class ClusterEventSubscription : IAsyncDisposable
{
    /// <summary>Events a reader may fall behind by before its feed ends.</summary>
    public const int Capacity = 1024;

    private static long _next;

    private readonly ActorSystem _system;
    private readonly ActorRef _forwarder;
    private readonly Channel<object> _channel;

    private ClusterEventSubscription(ActorSystem system, ActorRef daemon)
    {
        _system = system;
        _channel = Channel.CreateBounded<object>(new BoundedChannelOptions(Capacity) { SingleReader = true, SingleWriter = true });
        var writer = _channel.Writer;
        _forwarder = system.ActorOf(Props.Create(() => new Forwarder(daemon, writer)), $"cluster-events-{Interlocked.Increment(ref _next)}");
    }

    /// <summary>The snapshot, then the events; completes when the feed ends.</summary>
    public ChannelReader<object> Reader => _channel.Reader;

    internal static ClusterEventSubscription Start(ActorSystem system, ActorRef daemon) => new(system, daemon);

    public ValueTask DisposeAsync()
    {
        _system.Stop(_forwarder);
        _channel.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    /// <summary>Subscribes on start, unsubscribes on stop, writes every snapshot and event to the channel.</summary>
    private sealed class Forwarder(ActorRef daemon, ChannelWriter<object> writer) : Actor
    {
        protected internal override void PreStart() => daemon.Tell(new SubscribeClusterEvents(Self), Self);

        protected internal override void PostStop()
        {
            daemon.Tell(new UnsubscribeClusterEvents(Self), Self);
            writer.TryComplete();
        }

        protected internal override void Receive(object message)
        {
            if (message is CurrentClusterState or ClusterEvent && !writer.TryWrite(message))
            {
                // Too far behind: end the feed rather than skip a change the reader would never learn of.
                writer.TryComplete();
                Context.Stop(Self);
            }
        }
    }
}
