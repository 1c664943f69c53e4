using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.TestKit;

/// <summary>Something that runs on a <see cref="SimulatedNode"/> besides membership and shares its transport and clock.</summary>
public interface ISimulatedExtension
{
    /// <summary>A message from another node; true if it was the extension's (membership never sees it).</summary>
    bool OnMessage(UniqueAddress from, object message);

    /// <summary>The node's membership view changed (also once more when the node shuts itself down).</summary>
    void OnMembershipChanged(CurrentClusterState state);

    /// <summary>The node's periodic tick.</summary>
    void OnTick();

    /// <summary>The node crashed or shut down: it does nothing any more.</summary>
    void OnStopped();
}
