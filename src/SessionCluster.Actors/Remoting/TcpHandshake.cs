using Google.Protobuf;
using SessionCluster.Actors.Remoting.Wire;

namespace SessionCluster.Actors.Remoting;

/// <summary>Both sides of the connection handshake (the exchange is drawn in Protos/remoting.proto).</summary>
/// <remarks>
/// The acceptor checks, in order: protocol version (fields may mean other things in another version), cluster name,
/// the connector's identity, then the proof of the secret. Its rejection says which check failed but never what this
/// node's secret or cluster name is. The connector in turn checks the acceptor's proof, so it does not stream traffic to
/// a process that merely holds the port. Handshake frames are capped far below the data frame limit, so an
/// unauthenticated peer cannot make a node reserve a large buffer.
/// </remarks>
internal static class TcpHandshake
{
    /// <summary>Largest handshake frame: host names are at most 255 bytes; nonces and proofs 32 each.</summary>
    public const int MaxFrameLength = 4096;

    /// <summary>Runs the connector's side; returns the acceptor's identity.</summary>
    /// <exception cref="HandshakeFailedException">The acceptor refused us, or failed to prove the secret.</exception>
    /// <exception cref="InvalidDataException">The acceptor sent something that is not a handshake.</exception>
    public static async Task<UniqueAddress> ConnectAsync(Stream stream, FrameReader reader, RemoteSettings settings, UniqueAddress self, CancellationToken cancellationToken)
    {
        var challenge = await ReadAsync(reader, HandshakeChallenge.Parser, cancellationToken).ConfigureAwait(false);
        if (challenge.ServerNonce.Length != HandshakeProof.NonceLength)
        {
            throw new InvalidDataException($"The acceptor's challenge carries a {challenge.ServerNonce.Length}-byte nonce.");
        }

        var version = (uint)settings.ProtocolVersion;
        var clientNonce = HandshakeProof.NewNonce();
        var request = new HandshakeRequest
        {
            ProtocolVersion = version,
            ClusterName = settings.ClusterName,
            From = ToWire(self),
            ClientNonce = ByteString.CopyFrom(clientNonce),
            Proof = ByteString.CopyFrom(HandshakeProof.ForConnector(settings.Secret, challenge.ServerNonce.Span, clientNonce, version, settings.ClusterName, self)),
        };
        await SendAsync(stream, request, cancellationToken).ConfigureAwait(false);

        var response = await ReadAsync(reader, HandshakeResponse.Parser, cancellationToken).ConfigureAwait(false);
        if (!response.Accepted)
        {
            throw new HandshakeFailedException(response.Reason, response.Detail);
        }

        var acceptor = FromWire(response.Server)
            ?? throw new InvalidDataException("The acceptor's response names no valid identity.");
        var expected = HandshakeProof.ForAcceptor(settings.Secret, clientNonce, challenge.ServerNonce.Span, version, settings.ClusterName, acceptor);
        if (!HandshakeProof.Matches(expected, response.Proof.Span))
        {
            throw new HandshakeFailedException(HandshakeRejectReason.Secret, $"the acceptor {acceptor} could not prove it knows the shared secret");
        }

        return acceptor;
    }

    /// <summary>Runs the acceptor's side; returns the connector's identity, or sends a rejection and throws.</summary>
    /// <exception cref="HandshakeFailedException">The connector was refused (the rejection has been sent).</exception>
    /// <exception cref="InvalidDataException">The connector sent something that is not a handshake.</exception>
    public static async Task<UniqueAddress> AcceptAsync(Stream stream, FrameReader reader, RemoteSettings settings, UniqueAddress self, CancellationToken cancellationToken)
    {
        var serverNonce = HandshakeProof.NewNonce();
        var version = (uint)settings.ProtocolVersion;
        await SendAsync(stream, new HandshakeChallenge { ProtocolVersion = version, ServerNonce = ByteString.CopyFrom(serverNonce) }, cancellationToken)
            .ConfigureAwait(false);

        var request = await ReadAsync(reader, HandshakeRequest.Parser, cancellationToken).ConfigureAwait(false);
        var connector = FromWire(request.From);
        var claimed = connector?.ToString() ?? "(no valid identity)";
        var refusal = Check(request, connector, settings, serverNonce);
        if (refusal is { } failed)
        {
            var rejection = new HandshakeResponse { Accepted = false, Reason = failed.Reason, Detail = failed.Detail };
            await SendAsync(stream, rejection, cancellationToken).ConfigureAwait(false);
            throw new HandshakeFailedException(failed.Reason, failed.Detail, claimed);
        }

        var proof = HandshakeProof.ForAcceptor(settings.Secret, request.ClientNonce.Span, serverNonce, version, settings.ClusterName, self);
        var accepted = new HandshakeResponse { Accepted = true, Server = ToWire(self), Proof = ByteString.CopyFrom(proof) };
        await SendAsync(stream, accepted, cancellationToken).ConfigureAwait(false);
        return connector!;
    }

    /// <summary>Writes one message as one length-prefixed frame.</summary>
    public static async Task SendAsync(Stream stream, IMessage message, CancellationToken cancellationToken)
    {
        var size = message.CalculateSize();
        var frame = new byte[FrameCodec.PrefixLength + size];
        FrameCodec.WritePrefix(frame, size);
        message.WriteTo(frame.AsSpan(FrameCodec.PrefixLength));
        await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
    }

    private static (HandshakeRejectReason Reason, string Detail)? Check(HandshakeRequest request, UniqueAddress? connector, RemoteSettings settings, byte[] serverNonce)
    {
        if (request.ProtocolVersion != (uint)settings.ProtocolVersion)
        {
            return (HandshakeRejectReason.ProtocolVersion,
                // Read on both sides (the refusal is relayed to the connector), so it names neither as "this node".
                $"the acceptor speaks protocol version {settings.ProtocolVersion}, the connector {request.ProtocolVersion}; every node of a cluster must run a build of the same protocol version");
        }

        if (!string.Equals(request.ClusterName, settings.ClusterName, StringComparison.Ordinal))
        {
            return (HandshakeRejectReason.ClusterName, $"cluster name '{request.ClusterName}' is not this node's cluster");
        }

        if (connector is null || request.ClientNonce.Length != HandshakeProof.NonceLength)
        {
            return (HandshakeRejectReason.Malformed, "the request lacks a valid identity (host, port 1-65535, uid) or a 32-byte nonce");
        }

        var expected = HandshakeProof.ForConnector(
            settings.Secret, serverNonce, request.ClientNonce.Span, request.ProtocolVersion, request.ClusterName, connector);
        return HandshakeProof.Matches(expected, request.Proof.Span)
            ? null
            : (HandshakeRejectReason.Secret, "the proof of the shared secret does not match");
    }

    private static async Task<T> ReadAsync<T>(FrameReader reader, MessageParser<T> parser, CancellationToken cancellationToken)
        where T : IMessage<T>
    {
        var frame = await reader.ReadFrameAsync(MaxFrameLength, cancellationToken).ConfigureAwait(false)
            ?? throw new EndOfStreamException($"The connection closed before the {typeof(T).Name}.");
        return ProtobufInput.Parse(parser, frame.Span);
    }

    private static NodeIdentity ToWire(UniqueAddress address) =>
        new() { Host = address.Address.Host, Port = address.Address.Port, Uid = address.Uid };

    private static UniqueAddress? FromWire(NodeIdentity? identity) =>
        identity is { Host.Length: > 0 and <= 255, Port: > 0 and <= 65535 }
            ? new UniqueAddress(new NodeAddress(identity.Host, identity.Port), identity.Uid)
            : null;
}
