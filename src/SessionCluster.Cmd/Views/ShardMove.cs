using SessionCluster.Cmd.Model;

namespace SessionCluster.Cmd.Views;

/// <summary>A shard whose home changed between two reads of the shard table (<paramref name="From"/> or <paramref name="To"/> null: it had or has no home).</summary>
public sealed record ShardMove(int Shard, string? From, string? To)
{
    /// <summary>The shards present in both tables whose home differs, in shard order; a shard new in <paramref name="current"/> counts as moved from nowhere.</summary>
    public static IReadOnlyList<ShardMove> Between(ShardTableDocument previous, ShardTableDocument current)
    {
        var before = new Dictionary<int, string?>();
        foreach (var shard in previous.Shards)
        {
            before[shard.Id] = shard.Home;
        }

        return
        [
            .. current.Shards
                .Where(shard => !before.TryGetValue(shard.Id, out var home) || !string.Equals(home, shard.Home, StringComparison.Ordinal))
                .Select(shard => new ShardMove(shard.Id, before.GetValueOrDefault(shard.Id), shard.Home))
                .OrderBy(move => move.Shard),
        ];
    }
}
