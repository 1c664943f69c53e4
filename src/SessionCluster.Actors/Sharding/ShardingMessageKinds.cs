namespace SessionCluster.Actors.Sharding;

/// <summary>A message for the coordinator (<see cref="ShardCoordinator"/>); the node's inbox dispatches on it.</summary>
public interface ICoordinatorMessage;

/// <summary>A message for a region (<see cref="ShardRegion"/>); the node's inbox dispatches on it.</summary>
public interface IRegionMessage;
