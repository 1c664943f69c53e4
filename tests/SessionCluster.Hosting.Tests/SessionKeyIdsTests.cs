using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using SessionCluster.Actors.Sessions;
using SessionCluster.Hosting.AspNetSessions;

namespace SessionCluster.Hosting.Tests;

/// <summary>The middleware key → session id map: every node, thread and version must compute the same id for a key.</summary>
public sealed class SessionKeyIdsTests
{
    [Theory]
    [InlineData("cluster-secret", "0f8fad5b-d9cb-469f-a165-70867728950e")]
    [InlineData("", "7c9e6679-7425-40de-944b-e07fc1f90ae7")]
    [InlineData("s", "a key longer than the stack buffer: ☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃")]
    public void IdOf_IsTheFirst128BitsOfTheKeysHmacUnderTheSecretsDerivedKey(string secret, string key)
    {
        // The definition, written out: HMAC-SHA256 of the key's UTF-8 under HKDF-SHA256 of the secret.
        var hmacKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret + "\0sessioncluster"), 32, info: "sessioncluster aspnet session id"u8.ToArray());
        var expected = new SessionId(BinaryPrimitives.ReadUInt128BigEndian(HMACSHA256.HashData(hmacKey, Encoding.UTF8.GetBytes(key)).AsSpan(0, 16)));
        var ids = new SessionKeyIds(secret);

        Assert.Equal(expected, ids.IdOf(key));
        Assert.Equal(expected, ids.IdOf(key));
        Assert.Equal(expected, new SessionKeyIds(secret).IdOf(key));
    }

    [Fact]
    public async Task IdOf_OnManyThreadsAtOnce_GivesEachKeyItsOneId()
    {
        var ids = new SessionKeyIds("secret");
        var keys = Enumerable.Range(0, 64).Select(_ => SessionKeyIds.NewKey()).ToList();
        var expected = keys.ToDictionary(key => key, key => new SessionKeyIds("secret").IdOf(key));

        var seen = await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
            Enumerable.Range(0, 2000).Select(i => keys[(i * 7 + worker) % keys.Count]).Select(key => (key, ids.IdOf(key))).ToList())));

        Assert.All(seen.SelectMany(pairs => pairs), pair => Assert.Equal(expected[pair.key], pair.Item2));
        Assert.NotEqual(new SessionKeyIds("other").IdOf(keys[0]), expected[keys[0]]);
    }
}
