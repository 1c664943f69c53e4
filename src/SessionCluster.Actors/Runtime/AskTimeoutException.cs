namespace SessionCluster.Actors.Runtime;

/// <summary>An <see cref="AskExtensions.Ask{T}"/> got no reply in time; the message names the target and the wait.</summary>
public sealed class AskTimeoutException(string message) : TimeoutException(message);
