using SessionCluster.Actors.Replication;

namespace SessionCluster.Actors.Sharding;

/// <summary>What a home does with a backup's <see cref="ReplicaDigest"/>: the sessions to send it, and those to ask it for.</summary>
/// <param name="Send">Sessions the backup lacks or holds differently: sent whole (a whole state is a valid delta).</param>
/// <param name="Pull">Sessions whose backup state may hold writes the home never had: asked for with a <see cref="ReplicaPull"/>.</param>
public sealed record AntiEntropyPlan(IReadOnlyList<SessionCrdt> Send, IReadOnlyList<UInt128> Pull)
{
    /// <summary>Compares the home's sessions with a backup's fingerprints. A session the backup holds differently is
    /// both sent and pulled (each side may have what the other lacks; both merge). A session only the backup holds is
    /// pulled only when <paramref name="askForMissing"/>: just after the home took the shard over, it may have been
    /// created under the former home and acknowledged by that backup alone; later, it is a session that ended here and
    /// whose tombstone the backup still keeps, and asking for it would be waste.</summary>
    public static AntiEntropyPlan Of(IEnumerable<SessionCrdt> served, ReplicaDigest digest, bool askForMissing)
    {
        ArgumentNullException.ThrowIfNull(served);
        ArgumentNullException.ThrowIfNull(digest);
        var held = new Dictionary<UInt128, ulong>(digest.Sessions.Length);
        foreach (var session in digest.Sessions)
        {
            held[session.SessionId] = session.Hash;
        }

        var send = new List<SessionCrdt>();
        var pull = new List<UInt128>();
        foreach (var state in served)
        {
            var known = held.Remove(state.Id, out var hash);
            if (known && hash == SessionDigest.Of(state))
            {
                continue;
            }

            send.Add(state);
            if (known)
            {
                pull.Add(state.Id);
            }
        }

        if (askForMissing)
        {
            pull.AddRange(held.Keys);
        }

        return new AntiEntropyPlan(send, pull);
    }
}
