using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Sharding;

/// <summary>Which node serves each shard that lives elsewhere, as this node's region last knew it: published by the
/// <see cref="ShardRegionActor"/> so that a request can go straight to the home without a hop through its mailbox.</summary>
/// <remarks>A route may be stale by the time it is used; the home then answers <see cref="ShardNotHere"/> and the request
/// takes the region's path, which knows better. Shards with no known remote home (local, moving, unknown) have no route.</remarks>
public sealed class ShardRoutes(int numberOfShards)
{
    private readonly ShardRoute?[] _routes = new ShardRoute?[numberOfShards];

    /// <summary>The remote home of <paramref name="shard"/> and its epoch, if there is one.</summary>
    public bool TryGetRemote(int shard, out ShardRoute route)
    {
        route = Volatile.Read(ref _routes[shard])!;
        return route is not null;
    }

    /// <summary>Sets or clears a shard's route; returns false when it was already so.</summary>
    internal bool Publish(int shard, NodeAddress? home, long epoch)
    {
        var current = Volatile.Read(ref _routes[shard]);
        if (home is null)
        {
            if (current is null)
            {
                return false;
            }

            Volatile.Write(ref _routes[shard], null);
            return true;
        }

        if (current is not null && current.Epoch == epoch && current.Home.Equals(home))
        {
            return false;
        }

        Volatile.Write(ref _routes[shard], new ShardRoute(home, epoch));
        return true;
    }
}

/// <summary>A shard's remote home and the epoch of that allocation.</summary>
public sealed record ShardRoute(NodeAddress Home, long Epoch);
