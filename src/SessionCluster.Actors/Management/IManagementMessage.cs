namespace SessionCluster.Actors.Management;

/// <summary>A message between the management sides of two nodes; the transport hands these to the
/// <see cref="NodeManagement"/> of the receiving node.</summary>
public interface IManagementMessage;
