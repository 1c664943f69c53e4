using System.Buffers;
using Google.Protobuf;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Actors.Sharding;

/// <summary>A 64-bit fingerprint of a session's replicated data, for anti-entropy: a backup whose fingerprint differs
/// from its home's is sent the home's whole state.</summary>
/// <remarks>
/// FNV-1a over the state's wire encoding, which is canonical (attributes in ordinal order, each writer listed once in
/// order of first mention), with the last access left out: reads move it at the home without replicating it one by
/// one (see <c>replication.touch-interval</c>), and a fingerprint that differed for every read session would re-send
/// them all every round. Equal fingerprints can hide a difference only by a 64-bit collision. Each state keeps its
/// fingerprint once computed (states are immutable): an anti-entropy round then hashes only the sessions written
/// since the last one.
/// </remarks>
public static class SessionDigest
{
    private const ulong OffsetBasis = 14695981039346656037;
    private const ulong Prime = 1099511628211;

    public static ulong Of(SessionCrdt state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.CachedDigest is var cached and not 0)
        {
            return cached;
        }

        // A hash of 0 is simply computed again each time: one state in 2^64.
        return state.CachedDigest = Compute(state);
    }

    private static ulong Compute(SessionCrdt state)
    {
        var wire = SessionCrdtWireFormat.ToWire(state);
        wire.LastAccessedUtcTicks = wire.CreatedUtcTicks;
        var size = wire.CalculateSize();
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            wire.WriteTo(buffer.AsSpan(0, size));
            var hash = OffsetBasis;
            foreach (var b in buffer.AsSpan(0, size))
            {
                hash = (hash ^ b) * Prime;
            }

            return hash;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
