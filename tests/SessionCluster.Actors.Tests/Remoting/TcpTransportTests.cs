using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Remoting.Wire;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Remoting;

/// <summary>What only the TCP transport has: the handshake's checks, hostile bytes, bounded queues, batching.</summary>
public sealed class TcpTransportTests : IAsyncLifetime
{
    private static readonly TimeSpan ClosedDeadline = TimeSpan.FromSeconds(10);
    private readonly List<IAsyncDisposable> _disposables = [];
    private long _nextUid = 5000;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }
    }

    [Fact]
    public async Task Start_OnPortZero_SelfShowsTheBoundPort()
    {
        var (node, _) = await Start(TcpTestSettings.Loopback());

        Assert.Equal("127.0.0.1", node.Self.Address.Host);
        Assert.InRange(node.Self.Address.Port, 1, 65535);
    }

    [Fact]
    public async Task Start_OnAPortInUse_Fails()
    {
        var (first, _) = await Start(TcpTestSettings.Loopback());
        var second = new TcpTransport(TcpTestSettings.Loopback() with { Port = first.Self.Address.Port }, TestMessages.Serializer(), uid: 2);
        _disposables.Add(second);

        var error = await Assert.ThrowsAsync<IOException>(() => second.StartAsync(new RecordingHandler(), CancellationToken.None));
        Assert.Equal(SocketError.AddressAlreadyInUse, Assert.IsType<SocketException>(error.InnerException).SocketErrorCode);
        Assert.Contains($"cluster port 127.0.0.1:{first.Self.Address.Port} (session-cluster.remote.port)", error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"Failed to bind the cluster port 127.0.0.1:{first.Self.Address.Port}", PortInUse.Describe(new AggregateException(error)), StringComparison.Ordinal);
    }

    [Fact]
    public void Send_BeforeStart_IsRefusedAndCounted()
    {
        var node = new TcpTransport(TcpTestSettings.Loopback(), TestMessages.Serializer(), uid: 3);
        _disposables.Add(node);

        Assert.False(node.Send(new NodeAddress("127.0.0.1", 1), new TextMessage("early")));
        Assert.Equal(1, node.MessagesDropped);
    }

    [Theory]
    [InlineData("secret")]
    [InlineData("no-secret")]
    [InlineData("cluster-name")]
    [InlineData("protocol-version")]
    public async Task Handshake_Mismatch_IsRejected_NothingIsDelivered_AndTheListenerServesOthers(string mismatch)
    {
        var serverLog = new CapturingLogger();
        var intruderLog = new CapturingLogger();
        var (server, serverInbox) = await Start(TcpTestSettings.Loopback(), serverLog);
        var settings = TcpTestSettings.Loopback();
        var (intruder, _) = await Start(mismatch switch
        {
            "secret" => settings with { Secret = "not-the-secret" },
            "no-secret" => settings with { Secret = string.Empty },
            "cluster-name" => settings with { ClusterName = "other-cluster" },
            _ => settings with { ProtocolVersion = RemoteSettings.CurrentProtocolVersion + 1 },
        }, intruderLog);

        for (var i = 0; i < 5; i++)
        {
            Assert.True(intruder.Send(server.Self.Address, new TextMessage("intruder " + i)));
        }

        await Eventually.True(() => server.HandshakesRejected >= 1, $"the server rejects a peer with a different {mismatch}");
        await Eventually.True(() => intruder.MessagesDropped >= 5, "the intruder drops what it queued for the refusing server");
        Assert.Equal(0, intruder.MessagesSent);
        var expectedReason = mismatch switch
        {
            "secret" or "no-secret" => HandshakeRejectReason.Secret,
            "cluster-name" => HandshakeRejectReason.ClusterName,
            _ => HandshakeRejectReason.ProtocolVersion,
        };
        // The counters move before the log lines are written, so the lines are awaited too.
        await Eventually.True(
            () => serverLog.Entries.Any(e => e.Event.Id == 307 && e.Level == LogLevel.Warning && e.Message.Contains(expectedReason.ToString())),
            $"the server logs the rejection with reason {expectedReason}");
        await Eventually.True(
            () => intruderLog.Entries.Any(e => e.Event.Id == 304 && e.Message.Contains($"handshake refused ({expectedReason})")),
            $"the intruder logs that its handshake was refused ({expectedReason})");
        if (expectedReason == HandshakeRejectReason.ProtocolVersion)
        {
            // Read on the connector's side, the reason names each side's version without calling either "this node".
            var versions = $"the acceptor speaks protocol version {RemoteSettings.CurrentProtocolVersion}, the connector {RemoteSettings.CurrentProtocolVersion + 1}";
            Assert.Contains(intruderLog.Entries, e => e.Event.Id == 304 && e.Message.Contains(versions));
        }

        var (friend, _) = await Start(TcpTestSettings.Loopback());
        Assert.True(friend.Send(server.Self.Address, new TextMessage("friend")));
        var received = await serverInbox.WaitFor(1, "the server still accepts a correct peer");
        Assert.Equal((friend.Self, (object)new TextMessage("friend")), Assert.Single(received));
        Assert.Equal(0, server.ConnectionsClosedOnBadInput);
    }

    [Fact]
    public async Task Handshake_AcceptorWithoutTheSecret_IsNotSentAnything()
    {
        using var impostor = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        impostor.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        impostor.Listen();
        var impostorAddress = new NodeAddress("127.0.0.1", ((IPEndPoint)impostor.LocalEndPoint!).Port);
        var (node, _) = await Start(TcpTestSettings.Loopback());

        Assert.True(node.Send(impostorAddress, new TextMessage("for the real peer only")));

        // The impostor plays a correct acceptor, except that it cannot compute the proof.
        using var deadline = new CancellationTokenSource(Eventually.DefaultDeadline);
        using var accepted = await impostor.AcceptAsync(deadline.Token);
        await using var impostorStream = new NetworkStream(accepted);
        await TcpHandshake.SendAsync(impostorStream, new HandshakeChallenge { ProtocolVersion = RemoteSettings.CurrentProtocolVersion, ServerNonce = ByteString.CopyFrom(new byte[32]) }, CancellationToken.None);
        var frame = await new FrameReader(impostorStream, 512).ReadFrameAsync(4096, CancellationToken.None);
        Assert.NotNull(HandshakeRequest.Parser.ParseFrom(frame!.Value.Span).From);
        var identity = new NodeIdentity { Host = "127.0.0.1", Port = impostorAddress.Port, Uid = 1 };
        await TcpHandshake.SendAsync(impostorStream, new HandshakeResponse { Accepted = true, Server = identity, Proof = ByteString.CopyFrom(new byte[32]) }, CancellationToken.None);

        await Eventually.True(() => node.MessagesDropped >= 1, "the node drops the message instead of sending it to the impostor");
        Assert.Equal(0, node.MessagesSent);
    }

    [Fact]
    public async Task Garbage_BeforeTheHandshake_ClosesThatConnectionOnly()
    {
        var log = new CapturingLogger();
        var (server, inbox, friend) = await StartServerWithConnectedFriend(log);
        using var raw = await RawPeer.Connect(server.Self.Address);
        var garbage = new byte[2000];
        new Random(3).NextBytes(garbage);

        await raw.Write(garbage);

        Assert.True(await raw.IsClosedWithin(ClosedDeadline), "the server closes the garbage connection");
        await AssertStillServing(server, inbox, friend, closedOnBadInput: 1, handshakesAccepted: 1);
        Assert.Contains(log.Entries, e => e.Event.Id == 308 && e.Message.Contains("before the handshake"));
    }

    [Fact]
    public async Task Handshake_NeverSent_ConnectionClosedAfterTheTimeout()
    {
        var (server, _) = await Start(TcpTestSettings.Loopback() with { HandshakeTimeout = TimeSpan.FromMilliseconds(200) });
        using var raw = await RawPeer.Connect(server.Self.Address);

        Assert.True(await raw.IsClosedWithin(ClosedDeadline), "the server closes a connection that never handshakes");
        await Eventually.True(() => server.ConnectionsClosedOnBadInput == 1, "the silent connection is counted");
    }

    [Theory]
    [InlineData("garbage-body", "Expected an envelope")]
    [InlineData("truncated", "closed inside a frame")]
    [InlineData("length-over-max", "the limit is 262144")]
    [InlineData("negative-length", "announces 4294967295 bytes")]
    [InlineData("unknown-type-id", "unknown message type id 424242")]
    [InlineData("malformed-payload", "a malformed TextMessage")]
    public async Task BadFrame_AfterTheHandshake_ClosesThatConnectionOnly(string kind, string loggedReason)
    {
        var log = new CapturingLogger();
        var (server, inbox, friend) = await StartServerWithConnectedFriend(log);
        using var raw = await RawPeer.Connect(server.Self.Address);
        var rawIdentity = new UniqueAddress(new NodeAddress("127.0.0.1", 1), Uid: 77);
        await raw.Handshake(TcpTestSettings.Loopback(), rawIdentity);
        var body = new byte[1000];
        new Random(5).NextBytes(body);

        switch (kind)
        {
            case "garbage-body":
                body[0] = 0xFF;   // not the envelope field's tag
                await raw.Write(Prefixed(body));
                break;
            case "truncated":
                await raw.Write(Prefixed(body)[..500]);
                raw.Socket.Shutdown(SocketShutdown.Send);
                break;
            case "length-over-max":
                await raw.Write(Prefix(TcpTestSettings.MaxFrameSize + 1));
                break;
            case "negative-length":
                await raw.Write([0xFF, 0xFF, 0xFF, 0xFF]);
                break;
            case "unknown-type-id":
                await raw.Write(FrameOf((TestMessages.TextId, new StringValue { Value = "first" }.ToByteString()), (424242, ByteString.Empty)));
                break;
            default:
                await raw.Write(FrameOf((TestMessages.TextId, ByteString.CopyFrom(0xFF, 0xFF, 0xFF))));
                break;
        }

        Assert.True(await raw.IsClosedWithin(ClosedDeadline), $"the server closes the connection that sent a {kind} frame");
        await AssertStillServing(server, inbox, friend, closedOnBadInput: 1, handshakesAccepted: 2);
        var logged = Assert.Single(log.Entries, e => e.Event.Id == 308);
        Assert.Equal(LogLevel.Warning, logged.Level);
        Assert.Contains(loggedReason, logged.Message);
        Assert.Contains(rawIdentity.ToString(), logged.Message);
        if (kind == "unknown-type-id")
        {
            // Envelopes before the bad one were good and are delivered; the unknown one is dropped and counted.
            Assert.Contains((rawIdentity, (object)new TextMessage("first")), inbox.Received);
            Assert.Equal(1, server.MessagesDropped);
        }
        else
        {
            Assert.DoesNotContain(inbox.Received, r => r.From == rawIdentity);
        }
    }

    [Fact]
    public async Task Send_ToBlackHoledPeer_FillsTheBoundedQueueAndCountsOverflow()
    {
        // Accepts at the TCP level (the kernel's backlog) but never answers: the handshake hangs, nothing is written.
        using var blackHole = new TcpListener(IPAddress.Loopback, 0);
        blackHole.Start();
        var address = new NodeAddress("127.0.0.1", ((IPEndPoint)blackHole.LocalEndpoint).Port);
        var (node, _) = await Start(TcpTestSettings.Loopback() with { OutboundQueueSize = 100, HandshakeTimeout = TimeSpan.FromMinutes(1) });

        var accepted = Enumerable.Range(0, 1_000).Count(i => node.Send(address, new NumberMessage(i)));

        Assert.Equal(100, accepted);
        Assert.Equal(900, node.QueueOverflows);
        Assert.Equal(0, node.MessagesSent);
    }

    [Fact]
    public async Task Send_ToPeerThatStopsReading_GivesTheConnectionUpAfterTheWriteTimeout()
    {
        // A peer that knows the secret and completes the handshake, then never reads: its small receive buffer and
        // the sender's socket buffer fill, and the next write cannot finish.
        var settings = TcpTestSettings.Loopback();
        await using var stalled = new StalledPeer();
        var log = new CapturingLogger();
        var (node, _) = await Start(settings with { WriteTimeout = TimeSpan.FromMilliseconds(300) }, log);

        Assert.True(node.Send(stalled.Address, new TextMessage("first")));
        await stalled.AcceptAsync(settings);
        for (var i = 0; i < 200; i++)
        {
            Assert.True(node.Send(stalled.Address, new BlobMessage(new byte[60 * 1024])));
        }

        await Eventually.True(
            () => log.Entries.Any(e => e.Event.Id == 303 && e.Message.Contains("could not be written within 0.3 s")),
            "the sender gives the stalled connection up");
        Assert.True(node.MessagesDropped > 0, "the frame in flight is counted as lost");
    }

    [Fact]
    public async Task Send_ToAPeerThatNeverReads_IsBoundedByTheQueueAndDoesNotHoldUpTheOtherPeers()
    {
        // A peer that completes the handshake and never reads again, with a write timeout far beyond the test: its
        // link stays stalled on a full socket for the whole test.
        var settings = TcpTestSettings.Loopback() with { OutboundQueueSize = 50, WriteTimeout = TimeSpan.FromMinutes(5) };
        await using var stalled = new StalledPeer();
        var (node, _) = await Start(settings);
        var (healthy, inbox) = await Start(TcpTestSettings.Loopback());

        Assert.True(node.Send(stalled.Address, new TextMessage("first")));
        await stalled.AcceptAsync(settings);
        var accepted = 0;
        for (var i = 0; i < 2_000; i++)
        {
            accepted += node.Send(stalled.Address, new BlobMessage(new byte[60 * 1024])) ? 1 : 0;
        }

        // What the stalled peer can pin is its socket buffers, one frame in flight and the bounded queue: the rest is
        // refused at once and counted, never queued.
        Assert.InRange(accepted, 49, 400);   // "first" took a place in the queue of 50
        Assert.Equal(2_000 - accepted, node.QueueOverflows);

        // Fewer than the healthy peer's own queue holds while its link connects.
        for (var i = 0; i < 40; i++)
        {
            Assert.True(node.Send(healthy.Self.Address, new NumberMessage(i)));
        }

        var received = await inbox.WaitFor(40, "the healthy peer gets every message while the other peer is stalled");
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (object)new NumberMessage(i)), received.Select(r => r.Message));
        Assert.Equal(2_000 - accepted, node.QueueOverflows);
    }

    [Fact]
    public async Task Send_ToAPeerThatNeverReads_IsBoundedByTheQueuedBytes_WhenTheCountWouldAllowFarMore()
    {
        // Room for 100,000 messages, but only 1 MiB of them: 60 KiB values behind a stalled peer must stop at the bytes.
        var settings = TcpTestSettings.Loopback() with
        {
            OutboundQueueSize = 100_000,
            OutboundQueueMaxBytes = 1024 * 1024,
            WriteTimeout = TimeSpan.FromMinutes(5),
        };
        await using var stalled = new StalledPeer();
        var log = new CapturingLogger();
        var (node, _) = await Start(settings, log);

        Assert.True(node.Send(stalled.Address, new TextMessage("first")));
        await stalled.AcceptAsync(settings);
        var accepted = 0;
        for (var i = 0; i < 2_000; i++)
        {
            accepted += node.Send(stalled.Address, new BlobMessage(new byte[60 * 1024])) ? 1 : 0;
        }

        // 16 fit in the queue's mebibyte; the rest of those accepted went into the socket buffers before they filled.
        Assert.InRange(accepted, 16, 400);
        Assert.Equal(2_000 - accepted, node.QueueOverflows);
        var warning = Assert.Single(log.Entries, e => e.Event.Id == 310);
        Assert.Contains("the bounds are 100000 messages and 1048576 bytes", warning.Message);
    }

    [Fact]
    public async Task Send_MessageOverTheFrameLimit_IsDroppedAndTheConnectionGoesOn()
    {
        var (a, _) = await Start(TcpTestSettings.Loopback());
        var (b, inbox) = await Start(TcpTestSettings.Loopback());

        Assert.True(a.Send(b.Self.Address, new BlobMessage(new byte[TcpTestSettings.MaxFrameSize])));
        Assert.True(a.Send(b.Self.Address, new TextMessage("after")));

        var received = await inbox.WaitFor(1, "b receives the message after the oversized one");
        Assert.Equal(new TextMessage("after"), Assert.Single(received).Message);
        Assert.Equal(1, a.MessagesDropped);
        Assert.Equal(0, b.ConnectionsClosedOnBadInput);
    }

    [Fact]
    public async Task Send_UnregisteredType_IsRefusedAndCounted()
    {
        var (a, _) = await Start(TcpTestSettings.Loopback());

        Assert.False(a.Send(new NodeAddress("127.0.0.1", 1), "a plain string has no wire form"));
        Assert.Equal(1, a.MessagesDropped);
    }

    [Fact]
    public async Task Send_ManySmallMessages_AreBatchedWithinTheLimit()
    {
        var (a, _) = await Start(TcpTestSettings.Loopback() with { BatchMaxMessages = 100 });
        var (b, inbox) = await Start(TcpTestSettings.Loopback());

        for (var i = 0; i < 10_000; i++)
        {
            Assert.True(a.Send(b.Self.Address, new NumberMessage(i)));
        }

        await inbox.WaitFor(10_000, "b receives every message");
        Assert.Equal(10_000, a.MessagesSent);
        Assert.Equal(10_000, b.MessagesReceived);
        Assert.InRange(a.FramesSent, 100, 9_999);
    }

    [Fact]
    public async Task ConnectionsBeyondTheHandshakingCap_AreShedAtAccept_AndHandshakenPeersAreUnaffected()
    {
        var log = new CapturingLogger();
        var (server, inbox) = await Start(TcpTestSettings.Loopback() with { MaxHandshakingConnections = 4, HandshakeTimeout = TimeSpan.FromMinutes(1) }, log);
        var (friend, _) = await Start(TcpTestSettings.Loopback());
        Assert.True(friend.Send(server.Self.Address, new TextMessage("before")));
        await inbox.WaitFor(1, "the friend's first message");

        var silent = new List<RawPeer>();
        for (var i = 0; i < 4; i++)
        {
            silent.Add(await RawPeer.Connect(server.Self.Address));
        }

        await Eventually.True(() => server.InboundConnectionCount == 5, "the friend and four silent connections are being served");
        using (var fifth = await RawPeer.Connect(server.Self.Address))
        {
            Assert.True(await fifth.IsClosedWithin(ClosedDeadline), "a fifth connection still handshaking is shed at once");
        }

        Assert.Equal(1, server.ConnectionsShed);
        Assert.Contains(log.Entries, e => e.Event.Id == 324 && e.Level == LogLevel.Warning);
        Assert.True(friend.Send(server.Self.Address, new TextMessage("during")));
        await Eventually.True(() => inbox.Received.Any(r => r.Message.Equals(new TextMessage("during"))), "the handshaken friend is not affected");

        silent.ForEach(peer => peer.Dispose());
        await Eventually.True(() => server.InboundConnectionCount == 1, "the silent connections are gone");
        var (latecomer, _) = await Start(TcpTestSettings.Loopback());
        Assert.True(latecomer.Send(server.Self.Address, new TextMessage("after")));
        await Eventually.True(() => inbox.Received.Any(r => r.From == latecomer.Self), "a new peer gets in once the others finished handshaking");
    }

    [Fact]
    public async Task FloodingPeer_IsReadNoFasterThanTheInboundRate_AndAnotherPeerIsNotSlowed()
    {
        var (server, inbox) = await Start(TcpTestSettings.Loopback() with { InboundMessageRate = 1000 });
        var (flooder, _) = await Start(TcpTestSettings.Loopback() with { BatchMaxMessages = 100 });
        var (friend, _) = await Start(TcpTestSettings.Loopback());
        var started = System.Diagnostics.Stopwatch.StartNew();

        for (var i = 0; i < 3_000; i++)
        {
            Assert.True(flooder.Send(server.Self.Address, new NumberMessage(i)));
        }

        await Eventually.True(() => server.InboundThrottled > 0, "the flooder's connection is throttled");
        var friendSent = started.Elapsed;
        Assert.True(friend.Send(server.Self.Address, new TextMessage("not slowed")));
        await Eventually.True(() => inbox.Received.Any(r => r.From == friend.Self), "the friend's message arrives while the flood is throttled");
        var friendLatency = started.Elapsed - friendSent;
        var floodedSoFar = inbox.Messages<NumberMessage>().Count();
        await inbox.WaitFor(3_001, "every flooded message arrives in the end", TimeSpan.FromSeconds(30));

        // 3000 messages at 1000/s with a second's worth of burst: at least 2 s.
        Assert.True(started.Elapsed >= TimeSpan.FromSeconds(1.9), $"the flood took {started.Elapsed.TotalSeconds:0.00} s");
        Assert.True(floodedSoFar < 3_000, $"the friend got through before the flood was over ({floodedSoFar} flooded messages had arrived)");
        Assert.True(friendLatency < TimeSpan.FromSeconds(1), $"the friend's message took {friendLatency.TotalMilliseconds:0} ms");
        Assert.Equal(Enumerable.Range(0, 3_000).Select(i => new NumberMessage(i)), inbox.Messages<NumberMessage>());
    }

    [Fact]
    public async Task Send_ToAPortNobodyListensOn_CountsTheRefusedAttemptAndLogsIt()
    {
        var log = new CapturingLogger();
        var (node, inbox) = await Start(TcpTestSettings.Loopback(), log);
        var nowhere = TcpTestSettings.UnusedAddress();

        node.Send(nowhere, new TextMessage("anyone there?"));

        await Eventually.True(() => inbox.Refused.Count > 0, "the refused connect is reported");
        Assert.True(node.ConnectionsRefused >= inbox.Refused.Count, $"{node.ConnectionsRefused} counted, {inbox.Refused.Count} reported");
        await Eventually.True(() => log.Entries.Any(e => e.Event.Id == 304 && e.Message.Contains("ConnectionRefused")), "the failed connect is logged");
    }

    [Fact]
    public async Task Dispose_ClosesTheListener_AndLaterSendsAreRefused()
    {
        var (a, _) = await Start(TcpTestSettings.Loopback());
        var address = a.Self.Address;

        await a.DisposeAsync();

        Assert.False(a.Send(address, new TextMessage("too late")));
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await Assert.ThrowsAnyAsync<SocketException>(async () => await probe.ConnectAsync(address.Host, address.Port));
    }

    private async Task<(TcpTransport Node, RecordingHandler Inbox)> Start(RemoteSettings settings, CapturingLogger? log = null)
    {
        var node = new TcpTransport(settings, TestMessages.Serializer(), Interlocked.Increment(ref _nextUid), logger: log);
        _disposables.Add(node);
        var inbox = new RecordingHandler { Transport = node };
        await node.StartAsync(inbox, CancellationToken.None);
        return (node, inbox);
    }

    /// <summary>A server and a friend whose connection to it is already up, to show later that it was not disturbed.</summary>
    private async Task<(TcpTransport Server, RecordingHandler Inbox, TcpTransport Friend)> StartServerWithConnectedFriend(CapturingLogger? log = null)
    {
        var (server, inbox) = await Start(TcpTestSettings.Loopback(), log);
        var (friend, _) = await Start(TcpTestSettings.Loopback());
        friend.Send(server.Self.Address, new TextMessage("hello before"));
        await inbox.WaitFor(1, "the friend's first message");
        return (server, inbox, friend);
    }

    private static async Task AssertStillServing(TcpTransport server, RecordingHandler inbox, TcpTransport friend, int closedOnBadInput, int handshakesAccepted)
    {
        await Eventually.True(() => server.ConnectionsClosedOnBadInput == closedOnBadInput, "the bad connection is counted");
        await Eventually.True(() => server.InboundConnectionCount == 1, "only the friend's connection remains");
        Assert.True(friend.Send(server.Self.Address, new TextMessage("hello after")));
        await Eventually.True(() => inbox.Received.Any(r => r.From == friend.Self && r.Message.Equals(new TextMessage("hello after"))), "the friend is still heard");
        Assert.Equal(0, friend.MessagesDropped);
        Assert.Equal(handshakesAccepted, server.HandshakesAccepted);   // the friend did not have to reconnect
    }

    private static byte[] Prefix(long length)
    {
        var prefix = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(prefix, (uint)length);
        return prefix;
    }

    private static byte[] Prefixed(byte[] body) => [.. Prefix(body.Length), .. body];

    private static byte[] FrameOf(params (int TypeId, ByteString Payload)[] envelopes)
    {
        var frame = new Frame();
        frame.Envelopes.AddRange(envelopes.Select(e => new Envelope { TypeId = e.TypeId, Payload = e.Payload }));
        return Prefixed(frame.ToByteArray());
    }
}
