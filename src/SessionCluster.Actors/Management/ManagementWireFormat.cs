using System.Collections.Immutable;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Sharding;
using static System.FormattableString;

namespace SessionCluster.Actors.Management;

/// <summary>Puts the management messages on the wire: registers <see cref="ManagementRequest"/>,
/// <see cref="ManagementReply"/> and <see cref="RegionWeightChanged"/> under their ids in <see cref="WireTypeIds"/>
/// (43–45), mapped to and from <c>Protos/management.proto</c>, which explains the layout.</summary>
/// <remarks>Strict like <see cref="ShardingWireFormat"/>: the decoder throws <see cref="InvalidDataException"/> naming the
/// field for anything a correct encoder never writes, and the encoder throws <see cref="ArgumentException"/> for every
/// value the decoder would reject.</remarks>
public static class ManagementWireFormat
{
    /// <summary>The largest weight an operator may set (the API takes 0 to 100).</summary>
    public const double MaxWeight = 100;

    /// <summary>Registers the management messages. Call once per serializer, before a transport starts with it.</summary>
    public static void Register(WireSerializer serializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        serializer
            .Register<ManagementRequest, Wire.ManagementRequest>(WireTypeIds.ManagementRequest, Wire.ManagementRequest.Parser, ToWire, FromWire)
            .Register<ManagementReply, Wire.ManagementReply>(WireTypeIds.ManagementReply, Wire.ManagementReply.Parser, ToWire, FromWire)
            .Register<RegionWeightChanged, Wire.RegionWeightChanged>(WireTypeIds.RegionWeightChanged, Wire.RegionWeightChanged.Parser, ToWire, FromWire);
    }

    internal static Wire.ManagementRequest ToWire(ManagementRequest message)
    {
        var wire = new Wire.ManagementRequest { RequestId = message.RequestId, Action = ActionToWire(message.Action) };
        if (message.Action == ManagementAction.SetWeight)
        {
            wire.Weight = WeightToWire(message.Weight, MaxWeight);
        }

        return wire;
    }

    internal static ManagementRequest FromWire(Wire.ManagementRequest wire)
    {
        var id = Required(wire.HasRequestId, wire.RequestId, "ManagementRequest.request_id");
        var action = ActionFromWire(wire.HasAction, wire.Action);
        var weight = action == ManagementAction.SetWeight
            ? Weight(wire.HasWeight, wire.Weight, MaxWeight, "ManagementRequest.weight")
            : 0;
        return new ManagementRequest(id, action, weight);
    }

    internal static Wire.ManagementReply ToWire(ManagementReply message)
    {
        if (message.Status is < 100 or > 599)
        {
            throw new ArgumentException(Invariant($"A status of {message.Status} cannot go on the wire: an HTTP status is 100 to 599."), nameof(message));
        }

        ArgumentNullException.ThrowIfNull(message.Message, nameof(message));
        var wire = new Wire.ManagementReply { RequestId = message.RequestId, Status = (uint)message.Status, Message = message.Message };
        var seen = new HashSet<NodeAddress>();
        foreach (var region in message.RegionList)
        {
            if (!seen.Add(region.Region))
            {
                throw new ArgumentException($"Region {region.Region} is listed twice.", nameof(message));
            }

            wire.Regions.Add(new Wire.RegionSummary
            {
                Region = ShardingWireFormat.ToWire(region.Region),
                HostsShards = region.HostsShards,
                Weight = WeightToWire(region.Weight, double.MaxValue),
                Draining = region.Draining,
                Shards = (uint)ShardingWireFormat.NonNegativeToWire(region.Shards, "shard count"),
                Backups = (uint)ShardingWireFormat.NonNegativeToWire(region.Backups, "backup count"),
            });
        }

        return wire;
    }

    internal static ManagementReply FromWire(Wire.ManagementReply wire)
    {
        var id = Required(wire.HasRequestId, wire.RequestId, "ManagementReply.request_id");
        var status = Required(wire.HasStatus, wire.Status, "ManagementReply.status");
        if (status is < 100 or > 599)
        {
            throw Malformed("ManagementReply.status", Invariant($"is {status}, not an HTTP status"));
        }

        var regions = ImmutableArray.CreateBuilder<RegionSummary>(wire.Regions.Count);
        var seen = new HashSet<NodeAddress>();
        foreach (var region in wire.Regions)
        {
            var address = ShardingWireFormat.FromWire(region.Region, "ManagementReply.regions.region");
            if (!seen.Add(address))
            {
                throw Malformed("ManagementReply.regions.region", $"lists {address} twice");
            }

            regions.Add(new RegionSummary(
                address,
                Required(region.HasHostsShards, region.HostsShards, "ManagementReply.regions.hosts_shards"),
                Weight(region.HasWeight, region.Weight, double.MaxValue, "ManagementReply.regions.weight"),
                Required(region.HasDraining, region.Draining, "ManagementReply.regions.draining"),
                Count(region.HasShards, region.Shards, "ManagementReply.regions.shards"),
                Count(region.HasBackups, region.Backups, "ManagementReply.regions.backups")));
        }

        return new ManagementReply(id, (int)status, wire.Message, regions.MoveToImmutable());
    }

    internal static Wire.RegionWeightChanged ToWire(RegionWeightChanged message) => new() { Weight = WeightToWire(message.Weight, double.MaxValue) };

    internal static RegionWeightChanged FromWire(Wire.RegionWeightChanged wire) =>
        new(Weight(wire.HasWeight, wire.Weight, double.MaxValue, "RegionWeightChanged.weight"));

    private static Wire.ManagementAction ActionToWire(ManagementAction action) => action switch
    {
        ManagementAction.Drain => Wire.ManagementAction.Drain,
        ManagementAction.SetWeight => Wire.ManagementAction.SetWeight,
        ManagementAction.Rebalance => Wire.ManagementAction.Rebalance,
        ManagementAction.GetRegions => Wire.ManagementAction.GetRegions,
        _ => throw new ArgumentException(Invariant($"{(int)action} is not a defined ManagementAction."), "message"),
    };

    private static ManagementAction ActionFromWire(bool present, Wire.ManagementAction action) => (present, action) switch
    {
        (false, _) or (_, Wire.ManagementAction.Unspecified) => throw Malformed("ManagementRequest.action", "is missing"),
        (_, Wire.ManagementAction.Drain) => ManagementAction.Drain,
        (_, Wire.ManagementAction.SetWeight) => ManagementAction.SetWeight,
        (_, Wire.ManagementAction.Rebalance) => ManagementAction.Rebalance,
        (_, Wire.ManagementAction.GetRegions) => ManagementAction.GetRegions,
        _ => throw Malformed("ManagementRequest.action", Invariant($"is {(int)action}, not a known action")),
    };

    private static double WeightToWire(double weight, double max) =>
        double.IsFinite(weight) && weight >= 0 && weight <= max
            ? weight
            : throw new ArgumentException(Invariant($"A weight of {weight} cannot go on the wire: it is finite, from 0 to {max}."), "message");

    private static double Weight(bool present, double weight, double max, WireField field) =>
        !present ? throw Malformed(field, "is missing")
        : double.IsFinite(weight) && weight >= 0 && weight <= max ? weight
        : throw Malformed(field, Invariant($"is {weight}, not a finite number from 0 to {max}"));

    private static int Count(bool present, uint value, WireField field) =>
        !present ? throw Malformed(field, "is missing")
        : value <= int.MaxValue ? (int)value
        : throw Malformed(field, Invariant($"is {value}, too large"));

    private static T Required<T>(bool present, T value, WireField field) => present ? value : throw Malformed(field, "is missing");

    private static InvalidDataException Malformed(WireField field, string problem) => new($"Malformed management message: {field} {problem}.");
}
