using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace SessionCluster.Actors.Remoting;

/// <summary>The proofs of the shared secret exchanged in the handshake (design notes in Protos/remoting.proto).</summary>
/// <remarks>
/// The HMAC input is a fixed layout, not a protobuf encoding, so it is the same bytes in every implementation: a role
/// label, then each field as a 4-byte big-endian length and its bytes (numbers as 8-byte big-endian). Length prefixes
/// keep two different field lists from ever producing the same input ("ab"+"c" vs "a"+"bc"); the role label keeps a
/// connector's proof from being reflected back as an acceptor's.
/// </remarks>
internal static class HandshakeProof
{
    /// <summary>Bytes of each side's random nonce.</summary>
    public const int NonceLength = 32;

    public static byte[] NewNonce() => RandomNumberGenerator.GetBytes(NonceLength);

    /// <summary>The connector's proof: covers the acceptor's nonce, so it is good for this one connection only.</summary>
    public static byte[] ForConnector(string secret, ReadOnlySpan<byte> serverNonce, ReadOnlySpan<byte> clientNonce, uint protocolVersion, string clusterName, UniqueAddress connector) =>
        Compute(secret, "connector", serverNonce, clientNonce, protocolVersion, clusterName, connector);

    /// <summary>The acceptor's proof: covers the connector's nonce.</summary>
    public static byte[] ForAcceptor(string secret, ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> serverNonce, uint protocolVersion, string clusterName, UniqueAddress acceptor) =>
        Compute(secret, "acceptor", clientNonce, serverNonce, protocolVersion, clusterName, acceptor);

    /// <summary>Compares in constant time, so the time taken leaks nothing about how much of a guess was right.</summary>
    public static bool Matches(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual) =>
        expected.Length == actual.Length && CryptographicOperations.FixedTimeEquals(expected, actual);

    private static byte[] Compute(
        string secret, string role, ReadOnlySpan<byte> theirNonce, ReadOnlySpan<byte> ourNonce, uint protocolVersion, string clusterName, UniqueAddress who)
    {
        using var input = new MemoryStream();
        Append(input, Encoding.UTF8.GetBytes(role));
        Append(input, theirNonce);
        Append(input, ourNonce);
        AppendNumber(input, protocolVersion);
        Append(input, Encoding.UTF8.GetBytes(clusterName));
        Append(input, Encoding.UTF8.GetBytes(who.Address.Host));
        AppendNumber(input, who.Address.Port);
        AppendNumber(input, who.Uid);
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), input.ToArray());
    }

    private static void Append(MemoryStream input, ReadOnlySpan<byte> field)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, field.Length);
        input.Write(length);
        input.Write(field);
    }

    private static void AppendNumber(MemoryStream input, long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        Append(input, bytes);
    }
}
