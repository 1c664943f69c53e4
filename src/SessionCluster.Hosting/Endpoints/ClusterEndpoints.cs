using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SessionCluster.Actors.Management;

namespace SessionCluster.Hosting.Endpoints;

/// <summary>The cluster as this node sees it and the operator's actions on it: the management API shared with the
/// Lighthouse (<see cref="ManagementEndpoints"/>): <c>GET /cluster/members</c>, <c>/cluster/node</c>,
/// <c>/cluster/regions</c>, <c>/cluster/events</c> and the <c>POST</c> actions; and where shards and sessions live
/// (<see cref="ShardingEndpoints"/>).</summary>
public static class ClusterEndpoints
{
    /// <summary>Maps every <c>/cluster/…</c> read and action, each behind its management filter; returns their group.</summary>
    public static RouteGroupBuilder MapClusterEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var cluster = endpoints.MapGroup(string.Empty);
        cluster.MapManagementEndpoints();
        cluster.MapShardingEndpoints();
        return cluster;
    }
}
