namespace SessionCluster.Actors.Runtime;

/// <summary>An actor name that is empty, malformed or already taken by a sibling.</summary>
public sealed class InvalidActorNameException(string message) : ArgumentException(message);
