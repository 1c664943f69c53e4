using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Replication;

/// <summary>What a <see cref="DeltaReplicator{TReply}"/> asks its host to do.</summary>
public interface IReplicationOutput<in TReply>
{
    /// <summary>Send <paramref name="backup"/> the join of the deltas numbered <paramref name="fromSeq"/> to <paramref name="toSeq"/>.</summary>
    void Send(NodeAddress backup, long epoch, long fromSeq, long toSeq, SessionCrdt delta);

    /// <summary>The writes before <paramref name="reply"/> are safe: answer it.</summary>
    void Release(TReply reply);

    /// <summary>The writes before <paramref name="reply"/> did not become safe in time: answer it with an error.</summary>
    void Fail(TReply reply);
}
