using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Hosting.AspNetSessions;

/// <summary>Maps the session middleware's key (a GUID it mints and keeps, data-protected, in its cookie) to the
/// cluster's session id, the same on every node.</summary>
/// <remarks>
/// <para>The id is the first 128 bits of HMAC-SHA256 of the key, under a key derived from the cluster secret (or a fixed
/// label when there is none). Any node computes it without a lookup table, and it cannot be turned back into the key
/// that the cookie protects: knowing a session's id (it is <c>ISession.Id</c>) does not let anyone forge its cookie.</para>
/// <para>Ids are still never adopted: the store creates a session only under the id of a key the middleware minted in
/// this very request (<c>isNewSessionKey</c>), or one it minted itself to replace a dead key (see
/// <see cref="ClusterSession"/>). A key from a cookie whose session does not exist (expired, invalidated, never
/// committed) is looked up and never re-created.</para>
/// </remarks>
public sealed class SessionKeyIds
{
    // One keyed HMAC per thread, reset after each use: a one-shot HMACSHA256.HashData makes OpenSSL 3 look the
    // algorithm up again on every call, which costs about three times the hash itself, once per request.
    private readonly ThreadLocal<IncrementalHash> _hmac;

    /// <param name="clusterSecret">The cluster secret (<c>remote.secret</c>); empty means none.</param>
    public SessionKeyIds(string clusterSecret)
    {
        ArgumentNullException.ThrowIfNull(clusterSecret);
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(clusterSecret + "\0sessioncluster"), 32, info: "sessioncluster aspnet session id"u8.ToArray());
        _hmac = new ThreadLocal<IncrementalHash>(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key));
    }

    /// <summary>The session id of the middleware key <paramref name="sessionKey"/>.</summary>
    public SessionId IdOf(string sessionKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionKey);
        var hmac = _hmac.Value!;
        hmac.AppendData(Encoding.UTF8.GetBytes(sessionKey));
        Span<byte> mac = stackalloc byte[32];
        hmac.GetHashAndReset(mac);
        return new SessionId(BinaryPrimitives.ReadUInt128BigEndian(mac[..16]));
    }

    /// <summary>A fresh key in the middleware's own form (a GUID's 36-character text from 128 CSPRNG bits).</summary>
    public static string NewKey()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return new Guid(bytes).ToString();
    }
}
