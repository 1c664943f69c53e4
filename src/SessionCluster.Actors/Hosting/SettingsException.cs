namespace SessionCluster.Actors.Hosting;

/// <summary>A setting that is unknown, missing or of the wrong type; the message names its key path and where it was set.</summary>
public sealed class SettingsException(string message) : Exception(message);
