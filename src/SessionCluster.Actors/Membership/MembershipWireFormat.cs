using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Membership;

/// <summary>Puts the membership messages on the wire: registers each with a <see cref="WireSerializer"/> under its id
/// in <see cref="WireTypeIds"/> (100–199), with its mapping to and from <c>Protos/membership.proto</c>, which explains
/// the layout.</summary>
/// <remarks>
/// Decoding is strict: anything a correct encoder never writes (an index outside its table, an unknown status, a
/// missing required field, a duplicate, a gossip that breaks a Gossip invariant) throws
/// <see cref="InvalidDataException"/> naming the message and the field, and the transport closes that connection;
/// the protocol never sees a repaired or half-read value. Encoding throws <see cref="ArgumentException"/> for values
/// the wire does not carry (an empty cluster name, a host or port no node could listen on); the transport drops that
/// message and logs it. The mappings are pure and thread-safe, as <see cref="WireSerializer"/> requires.
/// </remarks>
public static class MembershipWireFormat
{
    // The longest host name DNS allows; the handshake holds peers to the same bound.
    private const int MaxHostLength = 255;

    /// <summary>Registers every membership message a node sends (InitJoin, InitJoinAck, InitJoinNack, JoinRefusal, Join,
    /// Welcome, GossipEnvelope, Heartbeat, HeartbeatAck). Call once per serializer, before a transport starts with it.</summary>
    /// <exception cref="InvalidOperationException">The serializer is frozen, or one of these ids or types is already registered.</exception>
    public static void Register(WireSerializer serializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        serializer
            .Register<InitJoin, Wire.InitJoin>(WireTypeIds.InitJoin, Wire.InitJoin.Parser, ToWire, FromWire)
            .Register<InitJoinAck, Wire.InitJoinAck>(WireTypeIds.InitJoinAck, Wire.InitJoinAck.Parser, ToWire, FromWire)
            .Register<InitJoinNack, Wire.InitJoinNack>(WireTypeIds.InitJoinNack, Wire.InitJoinNack.Parser, ToWire, FromWire)
            .Register<JoinRefusal, Wire.JoinRefusal>(WireTypeIds.JoinRefusal, Wire.JoinRefusal.Parser, ToWire, FromWire)
            .Register<Join, Wire.Join>(WireTypeIds.Join, Wire.Join.Parser, ToWire, FromWire)
            .Register<Welcome, Wire.Welcome>(WireTypeIds.Welcome, Wire.Welcome.Parser, ToWire, FromWire)
            .Register<GossipEnvelope, Wire.GossipEnvelope>(WireTypeIds.GossipEnvelope, Wire.GossipEnvelope.Parser, ToWire, FromWire)
            .Register<Heartbeat, Wire.Heartbeat>(WireTypeIds.Heartbeat, Wire.Heartbeat.Parser, ToWire, FromWire)
            .Register<HeartbeatAck, Wire.HeartbeatAck>(WireTypeIds.HeartbeatAck, Wire.HeartbeatAck.Parser, ToWire, FromWire);
    }

    internal static Wire.InitJoin ToWire(InitJoin message) => new() { ClusterName = ClusterNameToWire(message.ClusterName) };

    internal static InitJoin FromWire(Wire.InitJoin wire) => new(ClusterNameFromWire(wire.ClusterName, "InitJoin"));

    internal static Wire.InitJoinAck ToWire(InitJoinAck message) => new() { ClusterName = ClusterNameToWire(message.ClusterName) };

    internal static InitJoinAck FromWire(Wire.InitJoinAck wire) => new(ClusterNameFromWire(wire.ClusterName, "InitJoinAck"));

    internal static Wire.InitJoinNack ToWire(InitJoinNack message) => new() { ClusterName = ClusterNameToWire(message.ClusterName) };

    internal static InitJoinNack FromWire(Wire.InitJoinNack wire) => new(ClusterNameFromWire(wire.ClusterName, "InitJoinNack"));

    internal static Wire.JoinRefusal ToWire(JoinRefusal message)
    {
        ArgumentNullException.ThrowIfNull(message.Reason);
        return new() { ClusterName = ClusterNameToWire(message.ClusterName), Reason = message.Reason };
    }

    internal static JoinRefusal FromWire(Wire.JoinRefusal wire) => new(ClusterNameFromWire(wire.ClusterName, "JoinRefusal"), wire.Reason);

    internal static Wire.Join ToWire(Join message)
    {
        ArgumentNullException.ThrowIfNull(message.Roles);
        return new() { ClusterName = ClusterNameToWire(message.ClusterName), Roles = { message.Roles }, Route = RouteToWire(message.Route) };
    }

    internal static Join FromWire(Wire.Join wire) =>
        new(ClusterNameFromWire(wire.ClusterName, "Join"), [.. wire.Roles], RouteFromWire(wire.Route, "Join.route"));

    /// <summary>A member's route as sent: checked like the setting, so a route on the wire is one a node could have.</summary>
    internal static string RouteToWire(string route) => RouteName.EmptyOrValid(route, nameof(route));

    internal static string RouteFromWire(string route, WireField field) =>
        route.Length == 0 || RouteName.IsValid(route)
            ? route
            : throw Malformed(field, $"is not a route (1 to {RouteName.MaxLength} ASCII letters, digits, '-' or '_')");

    internal static Wire.Welcome ToWire(Welcome message) =>
        new() { To = ToWire(message.To), Gossip = GossipWireFormat.ToWire(message.Gossip) };

    internal static Welcome FromWire(Wire.Welcome wire) =>
        new(FromWire(wire.To, "Welcome.to"), GossipWireFormat.FromWire(wire.Gossip, "Welcome.gossip"));

    internal static Wire.GossipEnvelope ToWire(GossipEnvelope message) =>
        new() { To = ToWire(message.To), Gossip = GossipWireFormat.ToWire(message.Gossip) };

    internal static GossipEnvelope FromWire(Wire.GossipEnvelope wire) =>
        new(FromWire(wire.To, "GossipEnvelope.to"), GossipWireFormat.FromWire(wire.Gossip, "GossipEnvelope.gossip"));

    internal static Wire.Heartbeat ToWire(Heartbeat message) => new() { To = ToWire(message.To) };

    internal static Heartbeat FromWire(Wire.Heartbeat wire) => new(FromWire(wire.To, "Heartbeat.to"));

    internal static Wire.HeartbeatAck ToWire(HeartbeatAck message) => new() { To = ToWire(message.To) };

    internal static HeartbeatAck FromWire(Wire.HeartbeatAck wire) => new(FromWire(wire.To, "HeartbeatAck.to"));

    /// <summary>An incarnation written in full; throws <see cref="ArgumentException"/> for a host or port no node listens on.</summary>
    internal static Wire.UniqueAddress ToWire(UniqueAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var (host, port) = (address.Address.Host, address.Address.Port);
        if (string.IsNullOrEmpty(host) || host.Length > MaxHostLength || port is < 1 or > 65535)
        {
            throw new ArgumentException(
                $"{address} cannot go on the wire: the host must have 1 to {MaxHostLength} characters and the port be 1 to 65535.", nameof(address));
        }

        return new() { Host = host, Port = (uint)port, Uid = address.Uid };
    }

    /// <summary>An incarnation read back; <paramref name="field"/> names it in the error (e.g. <c>Heartbeat.to</c>).</summary>
    internal static UniqueAddress FromWire(Wire.UniqueAddress? wire, WireField field)
    {
        if (wire is null)
        {
            throw Malformed(field, "is missing");
        }

        if (wire.Host.Length is 0 or > MaxHostLength)
        {
            throw Malformed(field.Then("host"), $"has {wire.Host.Length} characters; a host has 1 to {MaxHostLength}");
        }

        if (wire.Port is < 1 or > 65535)
        {
            throw Malformed(field.Then("port"), $"is {wire.Port}; a port is 1 to 65535");
        }

        if (!wire.HasUid)
        {
            throw Malformed(field.Then("uid"), "is missing");
        }

        return new UniqueAddress(new NodeAddress(wire.Host, (int)wire.Port), wire.Uid);
    }

    /// <summary>The error for a malformed field: <c>{field} {problem}</c>, e.g.
    /// <c>GossipEnvelope.gossip.members[2].status is 9, not a known member status</c>.</summary>
    internal static InvalidDataException Malformed(WireField field, string problem) => new($"Malformed membership message: {field} {problem}.");

    private static string ClusterNameToWire(string clusterName)
    {
        ArgumentException.ThrowIfNullOrEmpty(clusterName);
        return clusterName;
    }

    private static string ClusterNameFromWire(string clusterName, WireField message) =>
        clusterName.Length > 0 ? clusterName : throw Malformed(message.Then("cluster_name"), "is missing");
}
