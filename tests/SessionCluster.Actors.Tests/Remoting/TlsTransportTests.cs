using Google.Protobuf;
using Microsoft.Extensions.Logging;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Remoting.Wire;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Remoting;

/// <summary>TLS on the cluster port, with a CA and node certificates made at run time: traffic flows when both sides
/// run TLS with certificates of the cluster's CA; a plaintext peer, or one whose certificate another CA signed, gets
/// nothing delivered and is logged.</summary>
public sealed class TlsTransportTests : IAsyncLifetime
{
    private static readonly TimeSpan ShortHandshake = TimeSpan.FromMilliseconds(700);
    private readonly List<IAsyncDisposable> _disposables = [];
    private readonly TestCertificates _ca = new();
    private readonly TestCertificates _otherCa = new("Another CA");
    private long _nextUid = 9000;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }

        _ca.Dispose();
        _otherCa.Dispose();
    }

    [Fact]
    public async Task BothSidesWithCertificatesOfTheClusterCa_ExchangeMessages_AndLogTls()
    {
        var log = new CapturingLogger();
        var (a, aInbox) = await Start(Tls("a"), log);
        var (b, bInbox) = await Start(Tls("b"));

        for (var i = 0; i < 100; i++)
        {
            Assert.True(a.Send(b.Self.Address, new NumberMessage(i)));
        }

        Assert.True(a.Send(b.Self.Address, new RequestMessage(42)));
        var received = await bInbox.WaitFor(101, "b receives every message over TLS");
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (object)new NumberMessage(i)), received.Take(100).Select(r => r.Message));
        await aInbox.WaitFor(1, "a receives b's answer over b's own TLS connection");
        Assert.Equal(new ResponseMessage(42), Assert.Single(aInbox.Received).Message);
        Assert.Equal(1, b.HandshakesAccepted);
        Assert.Equal(1, a.HandshakesAccepted);
        Assert.Contains(log.Entries, e => e.Event.Id == 323 && e.Message.Contains("CN=a") && e.Message.Contains("required"));
    }

    [Fact]
    public async Task PlaintextNode_ToATlsNode_IsRefusedAndNothingIsDelivered()
    {
        var serverLog = new CapturingLogger();
        var plaintextLog = new CapturingLogger();
        var (server, inbox) = await Start(Tls("server"), serverLog, handshakeTimeout: ShortHandshake);
        // The plaintext node waits longer than the TLS node: the TLS node's timeout, the case under test, always fires
        // first (with equal timeouts a loaded machine sometimes let the plaintext node give up and close first).
        var (plaintext, _) = await Start(TlsSettings.Disabled, plaintextLog, handshakeTimeout: ShortHandshake * 10);

        Assert.True(plaintext.Send(server.Self.Address, new TextMessage("in the clear")));

        await Eventually.True(
            () => serverLog.Entries.Any(e => e.Event.Id == 308 && e.Message.Contains("no TLS handshake within")),
            "the TLS node closes the plaintext connection and says TLS was expected");
        await Eventually.True(() => plaintext.MessagesDropped >= 1, "the plaintext node drops its message");
        Assert.Contains(plaintextLog.Entries, e => e.Event.Id is 304 or 305);
        Assert.Equal(0, server.HandshakesAccepted);
        Assert.Empty(inbox.Received);
        Assert.Equal(0, plaintext.MessagesSent);
    }

    [Fact]
    public async Task PlaintextHandshakeBytes_ToATlsNode_AreRefusedAtOnce()
    {
        var serverLog = new CapturingLogger();
        var (server, inbox) = await Start(Tls("server"), serverLog);
        using var raw = await RawPeer.Connect(server.Self.Address);

        // What a plaintext connector would send after the challenge: a handshake request frame.
        var request = new HandshakeRequest { ProtocolVersion = RemoteSettings.CurrentProtocolVersion, ClusterName = "test-cluster", ClientNonce = ByteString.CopyFrom(new byte[32]) };
        var body = request.ToByteArray();
        await raw.Write([0, 0, 0, (byte)body.Length, .. body]);

        Assert.True(await raw.IsClosedWithin(TimeSpan.FromSeconds(10)), "the TLS node closes the connection");
        await Eventually.True(() => server.HandshakesRejected == 1, "the non-TLS bytes count as a refused handshake");
        await Eventually.True(() => serverLog.Entries.Any(e => e.Event.Id == 322 && e.Level == LogLevel.Warning), "the refusal is logged");
        Assert.Empty(inbox.Received);
    }

    [Fact]
    public async Task TlsNode_ToAPlaintextNode_SendsNothing()
    {
        var tlsLog = new CapturingLogger();
        var (plaintext, inbox) = await Start(TlsSettings.Disabled);
        var (tls, _) = await Start(Tls("tls"), tlsLog);

        Assert.True(tls.Send(plaintext.Self.Address, new TextMessage("secret stuff")));

        await Eventually.True(() => tlsLog.Entries.Any(e => e.Event.Id == 304 && e.Message.Contains("TLS failed")), "the TLS node logs that TLS failed");
        await Eventually.True(() => plaintext.ConnectionsClosedOnBadInput >= 1, "the plaintext node closes the TLS hello as garbage");
        Assert.Equal(0, tls.MessagesSent);
        Assert.Empty(inbox.Received);
    }

    [Fact]
    public async Task ConnectorWithACertificateOfAnotherCa_IsRefused_WhenClientCertificatesAreRequired()
    {
        var serverLog = new CapturingLogger();
        var intruderLog = new CapturingLogger();
        var (server, inbox) = await Start(Tls("server", requireClientCertificate: true), serverLog);
        // The intruder trusts the cluster's CA (so it accepts the server), but its own certificate is another CA's.
        var (intruder, _) = await Start(_otherCa.NodeSettings("intruder", trust: _ca.CaPath), intruderLog);

        Assert.True(intruder.Send(server.Self.Address, new TextMessage("let me in")));

        await Eventually.True(() => server.HandshakesRejected >= 1, "the server refuses the foreign certificate");
        await Eventually.True(
            () => serverLog.Entries.Any(e => e.Event.Id == 322 && e.Message.Contains("CN=intruder") && e.Message.Contains("does not chain to the cluster's CA")),
            "the server logs whose certificate it refused and why");
        await Eventually.True(() => intruderLog.Entries.Any(e => e.Event.Id is 304 or 305), "the intruder logs its failed connect");
        Assert.Equal(0, server.HandshakesAccepted);
        Assert.Empty(inbox.Received);
        Assert.Equal(0, intruder.MessagesSent);

        // A node of the cluster still gets in.
        var (member, _) = await Start(Tls("member"));
        Assert.True(member.Send(server.Self.Address, new TextMessage("hello")));
        await inbox.WaitFor(1, "a member's message");
    }

    [Fact]
    public async Task AcceptorWithACertificateOfAnotherCa_IsNotSentAnything()
    {
        var (impostor, inbox) = await Start(_otherCa.NodeSettings("impostor", trust: _otherCa.CaPath));
        var log = new CapturingLogger();
        var (node, _) = await Start(Tls("node"), log);

        Assert.True(node.Send(impostor.Self.Address, new TextMessage("for members only")));

        await Eventually.True(
            () => log.Entries.Any(e => e.Event.Id == 304 && e.Message.Contains("the acceptor's certificate was refused") && e.Message.Contains("CN=impostor")),
            "the connector refuses the acceptor's certificate and says so");
        Assert.Equal(0, node.MessagesSent);
        Assert.Empty(inbox.Received);
    }

    [Fact]
    public async Task ClientCertificatesOptional_AConnectorOfTheClusterCaStillGetsIn_FromAPkcs12File()
    {
        var (server, inbox) = await Start(Tls("server", requireClientCertificate: false));
        var pfx = _ca.IssueNodePfx("pfx-node", "pfx-password");
        var (client, _) = await Start(new TlsSettings(true, pfx, string.Empty, "pfx-password", _ca.CaPath, false));

        Assert.True(client.Send(server.Self.Address, new TextMessage("from a pfx")));

        await inbox.WaitFor(1, "the message of a node whose certificate came from a PKCS#12 file");
    }

    [Fact]
    public void MissingCertificateFile_FailsAtConstruction_NamingTheSetting()
    {
        var settings = TcpTestSettings.Loopback() with { Tls = new TlsSettings(true, Path.Combine(_ca.Directory, "nope.pem"), string.Empty, string.Empty, _ca.CaPath, true) };

        var error = Assert.Throws<InvalidOperationException>(() => new TcpTransport(settings, TestMessages.Serializer(), uid: 1));
        Assert.Contains("session-cluster.remote.tls.certificate", error.Message);
    }

    private TlsSettings Tls(string name, bool requireClientCertificate = true) => _ca.NodeSettings(name, requireClientCertificate);

    private async Task<(TcpTransport Node, RecordingHandler Inbox)> Start(TlsSettings tls, CapturingLogger? log = null, TimeSpan? handshakeTimeout = null)
    {
        var settings = TcpTestSettings.Loopback() with { Tls = tls };
        if (handshakeTimeout is { } timeout)
        {
            settings = settings with { HandshakeTimeout = timeout };
        }

        var node = new TcpTransport(settings, TestMessages.Serializer(), Interlocked.Increment(ref _nextUid), logger: log);
        _disposables.Add(node);
        var inbox = new RecordingHandler { Transport = node };
        await node.StartAsync(inbox, CancellationToken.None);
        return (node, inbox);
    }
}
