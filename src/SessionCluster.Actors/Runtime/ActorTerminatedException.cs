namespace SessionCluster.Actors.Runtime;

/// <summary>An Ask reached an actor that had already stopped.</summary>
public sealed class ActorTerminatedException(string path) : Exception($"Actor {path} has stopped.");
