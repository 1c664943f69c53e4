using System.Buffers.Binary;
using System.Diagnostics;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;
using SessionCluster.Actors.Tests.Remoting;
using SessionCluster.Actors.Tests.Sharding;
using SessionCluster.TestKit;
using SessionCluster.TestKit.Fuzzing;
using Xunit.Abstractions;

namespace SessionCluster.Actors.Tests.Fuzzing;

/// <summary>100,000 fuzzed frames against the cluster port of a live node in a two-node cluster, over thousands of
/// connections, before and after the handshake: the node keeps serving sessions, its membership is unchanged, every
/// hostile connection is closed, and none is left open.</summary>
/// <remarks>
/// A node closes a connection at its first bad frame, so each connection carries a run of frames the node must take
/// (well-formed messages of harmless kinds: heartbeats, shard-stats queries, session reads of unknown ids, all naming a
/// dead loopback port as sender) and ends with one hostile frame (random bytes, a mutated frame, a lying length prefix,
/// a wrong or unknown type id, a valid envelope with a garbage payload). Hostile frames are chosen so that no envelope
/// in them decodes: what reaches the node's handlers is only the harmless kinds, so the cluster is never told anything
/// that would rightly change it, and no reply ever leaves 127.0.0.1. Counting: every frame before the hostile one is
/// decoded and delivered (the node's received-message counter checks it), and the hostile one closes the connection
/// (its closed-on-bad-input or rejected-handshake counter checks that).
/// </remarks>
public sealed class LiveNodeFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private const int Parallel = 4;
    private readonly InProcessNodes _nodes = new();
    private readonly CapturingLoggerFactory _targetLog = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    [Fact]
    public async Task Fuzzed_frames_against_a_live_node_leave_it_serving_with_membership_intact_and_no_leaked_connection()
    {
        var seed = FuzzBudget.Seed(100_000);
        var targetFrames = FuzzBudget.Iterations(100_000);
        var (target, other) = await StartClusterAsync();
        var transport = (TcpTransport)target.Cluster.Transport;
        var session = ((SessionSnapshot)await Eventually.Value(() => target.Client.Create(default), r => r is SessionSnapshot, "a session", Deadline)).Id;
        Assert.IsType<AttributeValue>(await target.Client.Send(new IncrementAttribute(session, "n", 1, 1), default));
        // Taken once both nodes see each other reachable: a start-up on a busy CI machine can leave a heartbeat late.
        var membersBefore = await Eventually.Value(() => MembersAsync(target), m => m.EndsWith(" unreachable: 0", StringComparison.Ordinal), "the target seeing every member reachable", Deadline);
        var inboundBefore = transport.InboundConnectionCount;
        var closedBefore = transport.ConnectionsClosedOnBadInput;
        var rejectedBefore = transport.HandshakesRejected;
        var receivedBefore = transport.MessagesReceived;

        var serializer = FrameDecoderFuzzTests.Serializer();
        var dead = TcpTestSettings.UnusedAddress();
        var settings = target.Settings.Remote;
        var stopwatch = Stopwatch.StartNew();
        long frames = 0, connections = 0, preHandshake = 0, delivered = 0;
        var workers = Enumerable.Range(0, Parallel).Select(worker => Task.Run(async () =>
        {
            var random = new Random(seed + worker);
            var fuzz = new FuzzFrames(serializer, random);
            while (Interlocked.Read(ref frames) < targetFrames)
            {
                using var raw = await RawPeer.Connect(target.Cluster.Self.Address);
                var before = random.Next(4) == 0;
                byte[] bytes;
                long count;
                if (before)
                {
                    // Before the handshake: garbage, or a mangled handshake request, where the HandshakeRequest goes.
                    bytes = random.Next(2) == 0 ? ByteMutator.RandomBytes(random, 4096) : ByteMutator.Mutate(HandshakeRequestFrame(settings, dead, random), random).Output;
                    count = 1;
                    Interlocked.Increment(ref preHandshake);
                }
                else
                {
                    await raw.Handshake(settings, new UniqueAddress(dead, random.NextInt64(1, long.MaxValue)));
                    var stream = new MemoryStream();
                    var harmless = random.Next(50);
                    var envelopes = 0;
                    for (var i = 0; i < harmless; i++)
                    {
                        var batch = random.Next(4) == 0 ? random.Next(6) : 1;
                        var frame = new SessionCluster.Actors.Remoting.Wire.Frame();
                        for (var m = 0; m < batch; m++)
                        {
                            frame.Envelopes.Add(Harmless(serializer, target, dead, random));
                        }

                        envelopes += batch;
                        stream.Write(Prefixed(frame.ToByteArray()));
                    }

                    stream.Write(HostileFrame(fuzz, serializer, random, settings.MaxFrameSize));
                    bytes = stream.ToArray();
                    count = harmless + 1;
                    Interlocked.Add(ref delivered, envelopes);
                }

                await raw.Write(bytes);
                raw.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);   // a prefix that promised more ends here
                Assert.True(await raw.IsClosedWithin(TimeSpan.FromSeconds(20)), $"seed {seed}: the node closes a fuzzed connection ({bytes.Length} bytes)");
                Interlocked.Add(ref frames, count);
                Interlocked.Increment(ref connections);
            }
        })).ToArray();
        await Task.WhenAll(workers);
        output.WriteLine($"{frames} fuzzed frames over {connections} connections ({preHandshake} before the handshake), {delivered} envelopes delivered, {stopwatch.Elapsed.TotalSeconds:0.0} s (seed {seed})");

        // Every fuzzed connection was closed by the node for its hostile frame, and none is left open.
        await Eventually.True(
            () => transport.ConnectionsClosedOnBadInput - closedBefore + transport.HandshakesRejected - rejectedBefore == connections,
            $"each of the {connections} fuzzed connections counted as bad input or a rejected handshake " +
            $"(closed {transport.ConnectionsClosedOnBadInput - closedBefore}, rejected {transport.HandshakesRejected - rejectedBefore})",
            Deadline);
        await Eventually.True(() => transport.InboundConnectionCount == inboundBefore, $"inbound connections back to {inboundBefore} (now {transport.InboundConnectionCount})", Deadline);
        Assert.True(transport.MessagesReceived - receivedBefore >= delivered, $"the {delivered} harmless envelopes were all decoded and delivered");

        // Still serving, membership unchanged, and nothing logged as a failure of the node itself.
        Assert.Equal("2"u8.ToArray(), ((AttributeValue)await target.Client.Send(new IncrementAttribute(session, "n", 1, 2), default)).JsonValue);
        Assert.Equal("2"u8.ToArray(), ((AttributeValue)await other.Client.Send(new GetAttribute(session, "n"), default)).JsonValue);
        Assert.IsType<SessionSnapshot>(await Eventually.Value(() => other.Client.Create(default), r => r is SessionSnapshot, "a new session through the other node", Deadline));
        // Same members with the same uids and statuses, all reachable again: four fuzzers saturating two cores may
        // delay heartbeats for a moment, which the failure detector may note, but no one was downed or removed.
        await Eventually.Value(() => MembersAsync(target), m => m == membersBefore, $"the target's membership back to {membersBefore}", Deadline);
        await Eventually.Value(() => MembersAsync(other), m => m == membersBefore, $"the other's membership back to {membersBefore}", Deadline);
        Assert.DoesNotContain(_targetLog.Log.Entries, e => e.Event.Id is 314 or 320 || e.Level >= LogLevel.Error);
    }

    private async Task<(SessionNode Target, SessionNode Other)> StartClusterAsync()
    {
        Func<SessionClusterSettings, SessionClusterSettings> configure = settings => settings with
        {
            Remote = settings.Remote with { Secret = "fuzz-secret", MaxFrameSize = 256 * 1024, BatchMaxBytes = 64 * 1024 },
            Sharding = settings.Sharding with { RebalanceAbsoluteLimit = 50, RebalanceRelativeLimit = 1, TransferChunkBytes = 64 * 1024 },
        };
        var target = await _nodes.StartAsync("target", seed: null, configure, _targetLog);
        var other = await _nodes.StartAsync("other", target, configure);
        await Eventually.True(() => InProcessNodes.Serving(target) + InProcessNodes.Serving(other) == 100 && InProcessNodes.Serving(other) > 0, "the shards spread", Deadline);
        return (target, other);
    }

    private static async Task<string> MembersAsync(SessionNode node)
    {
        var state = await node.Cluster.GetStateAsync(default);
        return string.Join(", ", state.Members.Select(m => $"{m.UniqueAddress} {m.Status}")) + $" unreachable: {state.Unreachable.Count}";
    }

    /// <summary>A message whose handling changes nothing the test checks; replies go to the dead loopback port.</summary>
    private static SessionCluster.Actors.Remoting.Wire.Envelope Harmless(WireSerializer serializer, SessionNode target, NodeAddress dead, Random random)
    {
        object message = random.Next(3) switch
        {
            0 => new Heartbeat(target.Cluster.Self),
            1 => new GetShardStats(random.NextInt64(1, long.MaxValue)),
            _ => new ShardEnvelope(random.NextInt64(1, long.MaxValue), dead, random.Next(100), random.Next(1, 5), new GetSession(SessionId.New())),
        };
        Assert.True(serializer.TryGetByType(message.GetType(), out var binding));
        return new SessionCluster.Actors.Remoting.Wire.Envelope { TypeId = binding.TypeId, Payload = binding.ToWire(message).ToByteString() };
    }

    /// <summary>A hostile frame, prefix included, none of whose envelopes decodes: it must end the connection.</summary>
    private static byte[] HostileFrame(FuzzFrames fuzz, WireSerializer serializer, Random random, int maxFrameSize)
    {
        switch (random.Next(10))
        {
            case 0:
                return Prefix((uint)maxFrameSize + 1 + (uint)random.Next(1000));   // over the limit
            case 1:
                return [.. Prefix((uint)random.Next(100, 5000)), .. ByteMutator.RandomBytes(random, 64)];   // promises more than comes
        }

        while (true)
        {
            var (body, _) = fuzz.Hostile();
            if (body.Length > 0 && NoEnvelopeDecodes(serializer, body))
            {
                return Prefixed(body);
            }
        }
    }

    private static bool NoEnvelopeDecodes(WireSerializer serializer, byte[] body)
    {
        var position = 0;
        try
        {
            while (FrameCodec.TryReadEnvelope(body, ref position, out var typeId, out var offset, out var length))
            {
                if (!serializer.TryGetById(typeId, out var binding))
                {
                    return true;
                }

                try
                {
                    binding.FromWire(body.AsMemory(offset, length));
                    return false;   // this one would be delivered: not for a live cluster
                }
                catch (InvalidDataException)
                {
                    return true;
                }
            }

            return false;   // every envelope (or none) was fine: not hostile
        }
        catch (InvalidDataException)
        {
            return true;
        }
    }

    private static byte[] HandshakeRequestFrame(RemoteSettings settings, NodeAddress from, Random random)
    {
        var request = new SessionCluster.Actors.Remoting.Wire.HandshakeRequest
        {
            ProtocolVersion = (uint)settings.ProtocolVersion,
            ClusterName = settings.ClusterName,
            From = new SessionCluster.Actors.Remoting.Wire.NodeIdentity { Host = from.Host, Port = from.Port, Uid = random.NextInt64() },
            ClientNonce = ByteString.CopyFrom(HandshakeProof.NewNonce()),
            Proof = ByteString.CopyFrom(HandshakeProof.NewNonce()),   // a guess
        };
        return Prefixed(request.ToByteArray());
    }

    private static byte[] Prefix(uint length)
    {
        var prefix = new byte[FrameCodec.PrefixLength];
        BinaryPrimitives.WriteUInt32BigEndian(prefix, length);
        return prefix;
    }

    private static byte[] Prefixed(byte[] body) => [.. Prefix((uint)body.Length), .. body];
}
