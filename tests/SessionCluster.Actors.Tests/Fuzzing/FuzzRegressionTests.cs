using Microsoft.Extensions.Logging;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Tests.Remoting;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Fuzzing;

/// <summary>Inputs the fuzzers found that broke a contract, kept so that they never do again.</summary>
public sealed class FuzzRegressionTests
{
    /// <summary>Found by WireDecoderFuzzTests (SESSIONCLUSTER_FUZZ_SEED=77, 20x): a nested message whose length varint
    /// is near 2^32 made Google.Protobuf throw IndexOutOfRangeException (protocolbuffers/protobuf#26856) instead of a
    /// parse error, which the transport would have logged as a bug of ours at Error level.</summary>
    [Theory]
    [InlineData(WireTypeIds.ShardStats, "12FFFFFFFF67")]
    [InlineData(WireTypeIds.Welcome, "0A1B0A0C666538303A3A31256574683010FFFF0319000000000000008012610A1B0A0C666538303A3A31256574683010FFFF0319FFFFFFFFFFFFFF7F0A210A146E6F64652D372E636C75737465722E6C6F63616C100119FFFFFF7F12001A0D080010040AFFFFFFFF07220100220B080111A2770BC4C848DE083A0100")]
    [InlineData(WireTypeIds.GossipEnvelope, "0A1B0A0C666538303A3A31256574683010FFFF0319000000000000008012610A1B0A0C666538303A3A31256574683010FFFF0319FFFFFFFFFFFFFF7F0A210A146E6F64652D372E636C75737465722E6C6F63616C100119FFFFFF7F12001A0D080010040AFFFFFFFF07220100220B080111A2770BC4C848DE083A0100")]
    public void Decoder_NestedLengthNear2To32_IsInvalidData(int typeId, string hex)
    {
        var serializer = FrameDecoderFuzzTests.Serializer();
        Assert.True(serializer.TryGetById(typeId, out var binding));

        var error = Assert.Throws<InvalidDataException>(() => binding.FromWire(Convert.FromHexString(hex)));
        Assert.Contains("malformed", error.Message);
    }

    /// <summary>The same parser bug reached through a handshake frame from a peer that has proven nothing yet: it must
    /// be refused as bad input (a warning), not reported as a failure of the node (an error).</summary>
    [Fact]
    public async Task Handshake_RequestWithANestedLengthNear2To32_IsRefusedAsBadInput()
    {
        var log = new CapturingLogger();
        await using var server = new TcpTransport(TcpTestSettings.Loopback(), TestMessages.Serializer(), uid: 1, logger: log);
        await server.StartAsync(new RecordingHandler(), CancellationToken.None);
        using var raw = await RawPeer.Connect(server.Self.Address);

        // HandshakeRequest { protocol_version = 2, from = <a NodeIdentity claiming ~2^32 bytes> }
        byte[] body = [0x08, 0x02, 0x1A, 0xFF, 0xFF, 0xFF, 0xFF, 0x67, 0x08, 0x01];
        await raw.Write([0, 0, 0, (byte)body.Length, .. body]);

        Assert.True(await raw.IsClosedWithin(TimeSpan.FromSeconds(10)), "the server closes the connection");
        await Eventually.True(() => server.ConnectionsClosedOnBadInput == 1, "the frame counts as bad input");
        await Eventually.True(() => log.Entries.Any(e => e.Event.Id == 308 && e.Level == LogLevel.Warning && e.Message.Contains("malformed HandshakeRequest")), "a warning names the malformed request");
        Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Error);
    }
}
