using System.Text.Json;
using SessionCluster.Cmd.Model;

namespace SessionCluster.Cmd.Tests.Support;

/// <summary>The canned documents parsed exactly as sessionctl parses a node's answers.</summary>
internal static class Documents
{
    public static MembersDocument Members => JsonSerializer.Deserialize(CannedJson.Members, ApiJsonContext.Default.MembersDocument)!;

    public static ShardTableDocument Shards => JsonSerializer.Deserialize(CannedJson.Shards, ApiJsonContext.Default.ShardTableDocument)!;

    public static RegionsDocument Regions => JsonSerializer.Deserialize(CannedJson.Regions, ApiJsonContext.Default.RegionsDocument)!;

    public static SessionLocation Location => JsonSerializer.Deserialize(CannedJson.Location, ApiJsonContext.Default.SessionLocation)!;

    /// <summary>A table of <paramref name="homes"/>[i] for shard i.</summary>
    public static ShardTableDocument Table(params string?[] homes) =>
        new("127.0.0.1:4054", [.. homes.Select((home, id) => new ShardEntry(id, home, 1, [], 0))]);
}
