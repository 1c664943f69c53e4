using Google.Protobuf;
using SessionCluster.Actors.Management;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Sharding;
using SessionCluster.Actors.Tests.Remoting;
using Wire = SessionCluster.Actors.Management.Wire;

namespace SessionCluster.Actors.Tests.Management;

/// <summary>The management messages on the wire: exact round trips under their own ids, malformed input named.</summary>
public sealed class ManagementWireFormatTests
{
    private static readonly FrozenWire Codec = new(ShardingWireFormat.Register, ManagementWireFormat.Register);

    [Fact]
    public void Every_management_message_round_trips_exactly_under_its_own_type_id()
    {
        object[] messages =
        [
            new ManagementRequest(7, ManagementAction.Drain),
            new ManagementRequest(-3, ManagementAction.SetWeight, 0),
            new ManagementRequest(8, ManagementAction.SetWeight, 100),
            new ManagementRequest(9, ManagementAction.Rebalance),
            new ManagementRequest(10, ManagementAction.GetRegions),
            new ManagementReply(10, 200, string.Empty,
            [
                new RegionSummary(new NodeAddress("10.0.0.1", 4054), true, 2.5, false, 40, 33),
                new RegionSummary(new NodeAddress("10.0.0.2", 4055), false, 0, false, 0, 0),
            ]),
            new ManagementReply(11, 503, "not the active coordinator"),
            new RegionWeightChanged(0),
            new RegionWeightChanged(3),
        ];
        int[] ids = [43, 43, 43, 43, 43, 44, 44, 45, 45];

        for (var i = 0; i < messages.Length; i++)
        {
            Assert.True(Codec.Serializer.TryGetByType(messages[i].GetType(), out var binding));
            Assert.Equal(ids[i], binding.TypeId);
            var bytes = binding.ToWire(messages[i]).ToByteArray();
            var decoded = binding.FromWire(bytes);
            Assert.Equal(bytes, binding.ToWire(decoded).ToByteArray());
            if (decoded is ManagementReply reply)
            {
                var original = (ManagementReply)messages[i];
                Assert.Equal((original.RequestId, original.Status, original.Message), (reply.RequestId, reply.Status, reply.Message));
                Assert.Equal(original.RegionList.ToList(), reply.RegionList.ToList());
            }
            else
            {
                Assert.Equal(messages[i], decoded);
            }
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(100.5)]
    [InlineData(double.NaN)]
    public void A_weight_outside_0_to_100_is_refused_by_the_encoder(double weight)
    {
        Assert.True(Codec.Serializer.TryGetByType(typeof(ManagementRequest), out var binding));

        Assert.Throws<ArgumentException>(() => binding.ToWire(new ManagementRequest(1, ManagementAction.SetWeight, weight)));
    }

    [Fact]
    public void Malformed_input_is_rejected_naming_the_field()
    {
        Codec.AssertMalformed(WireTypeIds.ManagementRequest, new Wire.ManagementRequest { Action = Wire.ManagementAction.Drain }, "ManagementRequest.request_id");
        Codec.AssertMalformed(WireTypeIds.ManagementRequest, new Wire.ManagementRequest { RequestId = 1 }, "ManagementRequest.action");
        Codec.AssertMalformed(WireTypeIds.ManagementRequest, new Wire.ManagementRequest { RequestId = 1, Action = (Wire.ManagementAction)99 }, "ManagementRequest.action");
        Codec.AssertMalformed(WireTypeIds.ManagementRequest, new Wire.ManagementRequest { RequestId = 1, Action = Wire.ManagementAction.SetWeight }, "ManagementRequest.weight");
        Codec.AssertMalformed(WireTypeIds.ManagementRequest, new Wire.ManagementRequest { RequestId = 1, Action = Wire.ManagementAction.SetWeight, Weight = 101 }, "ManagementRequest.weight");
        Codec.AssertMalformed(WireTypeIds.ManagementReply, new Wire.ManagementReply { RequestId = 1 }, "ManagementReply.status");
        Codec.AssertMalformed(WireTypeIds.ManagementReply, new Wire.ManagementReply { RequestId = 1, Status = 42 }, "ManagementReply.status");
        var twice = new Wire.ManagementReply { RequestId = 1, Status = 200 };
        for (var i = 0; i < 2; i++)
        {
            twice.Regions.Add(new Wire.RegionSummary
            {
                Region = new SessionCluster.Actors.Sharding.Wire.NodeAddress { Host = "a", Port = 1 },
                HostsShards = true, Weight = 1, Draining = false, Shards = 1, Backups = 0,
            });
        }

        Codec.AssertMalformed(WireTypeIds.ManagementReply, twice, "ManagementReply.regions.region");
        Codec.AssertMalformed(WireTypeIds.RegionWeightChanged, new Wire.RegionWeightChanged(), "RegionWeightChanged.weight");
        Codec.AssertMalformed(WireTypeIds.RegionWeightChanged, new Wire.RegionWeightChanged { Weight = double.PositiveInfinity }, "RegionWeightChanged.weight");
    }

}
