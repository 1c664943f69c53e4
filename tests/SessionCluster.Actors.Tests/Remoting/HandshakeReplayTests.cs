using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Remoting.Wire;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Remoting;

/// <summary>An eavesdropper who recorded a genuine handshake (and the traffic after it) cannot reuse it: each side's
/// proof covers a nonce the other side drew for that one connection.</summary>
public sealed class HandshakeReplayTests : IAsyncLifetime
{
    private static readonly TimeSpan ClosedDeadline = TimeSpan.FromSeconds(10);
    private readonly List<IAsyncDisposable> _disposables = [];
    private long _nextUid = 7000;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var disposable in Enumerable.Reverse(_disposables))
        {
            await disposable.DisposeAsync();
        }
    }

    [Fact]
    public async Task ConnectorSide_ReplayedOnANewConnection_IsRefusedAndNothingIsDelivered()
    {
        var serverLog = new CapturingLogger();
        var (server, inbox) = await Start(serverLog);
        var (genuine, _) = await Start();
        var relay = new RecordingRelay(server.Self.Address);
        _disposables.Add(relay);

        Assert.True(genuine.Send(relay.Address, new TextMessage("genuine")));
        await inbox.WaitFor(1, "the genuine message through the eavesdropper's relay");
        await Eventually.True(() => relay.ClientToTarget().Length > 0, "the relay recorded the connector's bytes");
        var captured = relay.ClientToTarget();   // the HandshakeRequest, then the frame carrying "genuine"

        using var replay = await RawPeer.Connect(server.Self.Address);
        await replay.Write(captured);

        Assert.True(await replay.IsClosedWithin(ClosedDeadline), "the server closes the replaying connection");
        await Eventually.True(() => server.HandshakesRejected == 1, "the replayed handshake is rejected");
        await Eventually.True(
            () => serverLog.Entries.Any(e => e.Event.Id == 307 && e.Level == LogLevel.Warning && e.Message.Contains(nameof(HandshakeRejectReason.Secret))),
            "the server logs the refusal: the proof does not match its fresh nonce");
        Assert.Equal(1, server.HandshakesAccepted);
        var delivered = Assert.Single(inbox.Received);
        Assert.Equal(new TextMessage("genuine"), delivered.Message);
    }

    [Fact]
    public async Task AcceptorSide_ReplayedToAConnector_IsRefusedAndTheConnectorSendsNothing()
    {
        var (server, inbox) = await Start();
        var (genuine, _) = await Start();
        var relay = new RecordingRelay(server.Self.Address);
        _disposables.Add(relay);
        Assert.True(genuine.Send(relay.Address, new TextMessage("genuine")));
        await inbox.WaitFor(1, "the genuine message through the eavesdropper's relay");
        var captured = relay.TargetToClient();   // the HandshakeChallenge and the accepting HandshakeResponse

        // The eavesdropper now plays the acceptor for another node, answering with the recorded bytes.
        using var impostor = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        impostor.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        impostor.Listen();
        var impostorAddress = new NodeAddress("127.0.0.1", ((IPEndPoint)impostor.LocalEndPoint!).Port);
        var victimLog = new CapturingLogger();
        var (victim, _) = await Start(victimLog);
        Assert.True(victim.Send(impostorAddress, new TextMessage("for the real server only")));
        using var deadline = new CancellationTokenSource(Eventually.DefaultDeadline);
        using var accepted = await impostor.AcceptAsync(deadline.Token);
        await accepted.SendAsync(captured, SocketFlags.None, deadline.Token);

        await Eventually.True(
            () => victimLog.Entries.Any(e => e.Event.Id == 304 && e.Message.Contains("could not prove it knows the shared secret")),
            "the connector logs that the acceptor failed to prove the secret");
        await Eventually.True(() => victim.MessagesDropped >= 1, "the connector drops the message instead of sending it");
        Assert.Equal(0, victim.MessagesSent);
        Assert.Equal(0, victim.FramesSent);
    }

    private async Task<(TcpTransport Node, RecordingHandler Inbox)> Start(CapturingLogger? log = null)
    {
        var node = new TcpTransport(TcpTestSettings.Loopback(), TestMessages.Serializer(), Interlocked.Increment(ref _nextUid), logger: log);
        _disposables.Add(node);
        var inbox = new RecordingHandler { Transport = node };
        await node.StartAsync(inbox, CancellationToken.None);
        return (node, inbox);
    }
}
