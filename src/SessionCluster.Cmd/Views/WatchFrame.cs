using SessionCluster.Cmd.Model;

namespace SessionCluster.Cmd.Views;

/// <summary>
/// One redraw of <c>sessionctl sharding watch</c>: the distribution now, the moves seen since the watch began, and
/// the last problem reading the node (the watch keeps polling through errors; the frame says so).
/// </summary>
/// <param name="Stats">The latest distribution read; the previous one is kept while the node fails to answer.</param>
/// <param name="ReadAt">When the frame was made.</param>
/// <param name="MovedSinceStart">Shard home changes seen between consecutive reads since the watch began.</param>
/// <param name="LastMoves">The moves seen by the latest successful read.</param>
/// <param name="LastMoveAt">When the latest move was seen, or null if none yet.</param>
/// <param name="Error">Why the latest read failed, or null when it succeeded.</param>
public sealed record WatchFrame(
    ShardingStats Stats,
    DateTimeOffset ReadAt,
    int MovedSinceStart,
    IReadOnlyList<ShardMove> LastMoves,
    DateTimeOffset? LastMoveAt,
    string? Error)
{
    /// <summary>The first frame, from the first read.</summary>
    public static WatchFrame First(ShardTableDocument table, MembersDocument? members, DateTimeOffset now) =>
        new(ShardingStats.Compute(table, members), now, 0, [], null, null);

    /// <summary>The next frame after a successful read; <paramref name="previous"/> is the table of the last successful read.</summary>
    public WatchFrame Next(ShardTableDocument previous, ShardTableDocument current, MembersDocument? members, DateTimeOffset now)
    {
        var moves = ShardMove.Between(previous, current);
        return new WatchFrame(
            ShardingStats.Compute(current, members),
            now,
            MovedSinceStart + moves.Count,
            moves,
            moves.Count > 0 ? now : LastMoveAt,
            null);
    }

    /// <summary>The same distribution, marked with why the latest read failed.</summary>
    public WatchFrame Failed(string error, DateTimeOffset now) => this with { ReadAt = now, Error = error, LastMoves = [] };
}
