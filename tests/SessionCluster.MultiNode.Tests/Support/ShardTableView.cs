using System.Text.Json;

namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>The document of <c>GET /cluster/shards</c>: every shard's home as one node knows it, and the coordinator's node.</summary>
internal sealed record ShardTableView(string? Coordinator, IReadOnlyList<ShardEntryView> Shards)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static ShardTableView Parse(string json) =>
        JsonSerializer.Deserialize<ShardTableView>(json, Json) ?? throw new JsonException("GET /cluster/shards returned null.");

    /// <summary>How many shards each home holds; shards without a home count under <c>"none"</c>.</summary>
    public IReadOnlyDictionary<string, int> ShardsPerHome() =>
        Shards.GroupBy(shard => shard.Home ?? "none").ToDictionary(group => group.Key, group => group.Count());

    /// <summary>
    /// True when the table holds <paramref name="numberOfShards"/> shards, every one homed on one of
    /// <paramref name="homes"/>, and each of them holds its fair share: the floor or the ceiling of shards / homes.
    /// </summary>
    public bool IsBalancedOver(IReadOnlyCollection<string> homes, int numberOfShards)
    {
        if (Shards.Count != numberOfShards || Shards.Any(shard => shard.Home is null || !homes.Contains(shard.Home)))
        {
            return false;
        }

        var floor = numberOfShards / homes.Count;
        var ceiling = floor + (numberOfShards % homes.Count == 0 ? 0 : 1);
        var perHome = ShardsPerHome();
        return homes.All(home => perHome.GetValueOrDefault(home) is var count && count >= floor && count <= ceiling);
    }

    /// <summary>Every shard's home and epoch in one string: equal placements give equal strings, any move changes it.</summary>
    public string Placement => string.Join(",", Shards.OrderBy(shard => shard.Id).Select(shard => $"{shard.Id}@{shard.Home}#{shard.Epoch}"));

    /// <summary>How many shards have another home here than in <paramref name="before"/>.</summary>
    public int MovedSince(ShardTableView before)
    {
        var homes = before.Shards.ToDictionary(shard => shard.Id, shard => shard.Home);
        return Shards.Count(shard => homes.GetValueOrDefault(shard.Id) != shard.Home);
    }

    /// <summary>The sessions of all shards, or null while some shard's count is unknown.</summary>
    public long? TotalSessions => Shards.Any(shard => shard.Sessions is null) ? null : Shards.Sum(shard => (long)shard.Sessions!.Value);

    public override string ToString() =>
        $"coordinator {Coordinator ?? "none"}, {Shards.Count} shards [{string.Join(", ", ShardsPerHome().OrderBy(entry => entry.Key).Select(entry => $"{entry.Key}: {entry.Value}"))}], " +
        $"sessions {(TotalSessions is { } total ? total.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"unknown for {Shards.Count(shard => shard.Sessions is null)} shards")}";
}
