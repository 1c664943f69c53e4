using SessionCluster.Actors.Management;

namespace SessionCluster.Web.Endpoints;

/// <summary>The cluster as this node sees it and the operator's actions on it: the management API shared with the
/// Lighthouse (<see cref="ManagementEndpoints"/>): <c>GET /cluster/members</c>, <c>/cluster/node</c>,
/// <c>/cluster/regions</c>, <c>/cluster/events</c> and the <c>POST</c> actions.</summary>
public static class ClusterEndpoints
{
    public static IEndpointRouteBuilder MapClusterEndpoints(this IEndpointRouteBuilder app) => app.MapManagementEndpoints();
}
