using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Runtime;

namespace SessionCluster.Actors.Membership;

/// <summary>A message from another node, as the transport delivered it.</summary>
public sealed record InboundMessage(UniqueAddress From, object Message);

/// <summary>The transport's connection to <paramref name="Address"/> was refused at <paramref name="ObservedAt"/>
/// (see <see cref="ITransportHandler.OnConnectionRefused"/>).</summary>
public sealed record PeerRefusedConnection(NodeAddress Address, DateTimeOffset ObservedAt);

/// <summary>Asks the daemon for a <see cref="CurrentClusterState"/>.</summary>
public sealed record GetClusterState
{
    public static readonly GetClusterState Instance = new();
}

/// <summary>Leave the cluster gracefully: this node (<see cref="Address"/> null) or another member.</summary>
public sealed record LeaveCluster(NodeAddress? Address = null);

/// <summary>Mark a member Down, as an operator decides.</summary>
public sealed record DownMember(NodeAddress Address);

/// <summary>Receive every <see cref="ClusterEvent"/> from now on, after a <see cref="CurrentClusterState"/> snapshot.</summary>
public sealed record SubscribeClusterEvents(ActorRef Subscriber);

public sealed record UnsubscribeClusterEvents(ActorRef Subscriber);

/// <summary>A reply that a command was taken.</summary>
public sealed record ClusterCommandAccepted
{
    public static readonly ClusterCommandAccepted Instance = new();
}
