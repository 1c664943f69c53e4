using System.Buffers.Binary;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Actors.Sharding;

/// <summary>Which shard a session belongs to: FNV-1a (64-bit) over the id's 16 bytes, big-endian, modulo the shard count.</summary>
/// <remarks>
/// Every node must compute the same shard for an id on every platform and in every version, or requests go to the
/// wrong home; so the function is spelled out here, owes nothing to <c>GetHashCode</c> (randomized per process in
/// .NET) and is pinned by test vectors. The bytes are those of the id's text form read as one 128-bit big-endian
/// number, so <c>00…01</c> hashes the bytes 00 … 00 01. FNV-1a is simple to reimplement in any language (a load
/// balancer script, say) and mixes every byte into the low bits the modulo keeps. Ids are random already; the hash
/// only makes the mapping independent of how ids were minted.
/// </remarks>
public static class ShardId
{
    private const ulong OffsetBasis = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    /// <summary>The shard of <paramref name="id"/> among <paramref name="numberOfShards"/> (0 to numberOfShards - 1).</summary>
    public static int Of(SessionId id, int numberOfShards)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numberOfShards, 1);
        return (int)(Hash(id) % (ulong)numberOfShards);
    }

    /// <summary>The 64-bit FNV-1a hash of the id's 16 big-endian bytes.</summary>
    public static ulong Hash(SessionId id)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, id.Value);
        var hash = OffsetBasis;
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * Prime;
        }

        return hash;
    }
}
