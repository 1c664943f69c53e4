using System.Text.Json;
using System.Text.Json.Serialization;
using SessionCluster.Cmd.Views;

namespace SessionCluster.Cmd.Model;

/// <summary>
/// Source-generated JSON (de)serialization of every document sessionctl reads or writes. Strict on purpose: a field
/// the contract requires that is missing or null fails the parse, so a node of another version (or something that is
/// not a node) is reported as such instead of rendering blanks.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    WriteIndented = false)]
[JsonSerializable(typeof(MembersDocument))]
[JsonSerializable(typeof(ShardTableDocument))]
[JsonSerializable(typeof(RegionsDocument))]
[JsonSerializable(typeof(SessionLocation))]
[JsonSerializable(typeof(ActionResult))]
[JsonSerializable(typeof(ErrorDocument))]
[JsonSerializable(typeof(ClusterEvent))]
[JsonSerializable(typeof(ShardingStats))]
[JsonSerializable(typeof(LeaderView))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
