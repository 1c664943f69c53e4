using System.Collections.Immutable;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.Actors.Management;

/// <summary>The acting node's answer to a <see cref="ManagementRequest"/>.</summary>
/// <param name="RequestId">The request's id.</param>
/// <param name="Status">An HTTP status: 200/202 done or under way, 4xx cannot be done there, 503 not now.</param>
/// <param name="Message">One sentence for the operator; empty on plain success.</param>
/// <param name="Regions">For <see cref="ManagementAction.GetRegions"/>: the coordinator's regions.</param>
public sealed record ManagementReply(long RequestId, int Status, string Message, ImmutableArray<RegionSummary> Regions = default) : IManagementMessage
{
    /// <summary><see cref="Regions"/>, empty rather than default.</summary>
    public ImmutableArray<RegionSummary> RegionList => Regions.IsDefault ? [] : Regions;

    /// <summary>True for a 2xx status.</summary>
    public bool Succeeded => Status is >= 200 and < 300;
}
