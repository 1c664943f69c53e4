using System.Globalization;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Sharding;

/// <summary>A region's fair share of the shards and the whole-shard range the strategy counts as balanced.</summary>
/// <param name="Region">The region.</param>
/// <param name="Share">Total shards × this region's weight ÷ the sum of weights, in shards (may be fractional).</param>
/// <param name="Min">The share rounded down: holding fewer, the region is owed shards; a move never takes it below this.</param>
/// <param name="Max">The share rounded up: holding more, the region must give shards away; a move never takes it above this.</param>
public sealed record ShardQuota(NodeAddress Region, double Share, int Min, int Max)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Region}: {Share:0.###} ({Min}..{Max})");
}
