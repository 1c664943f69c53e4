namespace SessionCluster.Actors.Runtime;

/// <summary>A sender that wants to know when a message it sent reached an actor that had already stopped, so that it
/// can route the message elsewhere instead of losing it (an Ask's promise fails instead; see <see cref="ActorTerminatedException"/>).</summary>
public interface IUndeliveredHandler
{
    /// <summary>Called once, on the thread that found the target stopped.</summary>
    void OnUndelivered(object message);
}
