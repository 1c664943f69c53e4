using System.Net;
using System.Text.Json;

namespace SessionCluster.Web.Tests.Support;

/// <summary>
/// The JSON document of <c>GET /session</c> and of attribute writes, read field by field. <see cref="Attributes"/> is the
/// <c>attributes</c> object exactly as sent, e.g. <c>{"a":1,"b":"x"}</c>, so names, order and compact values compare at once.
/// </summary>
public sealed record SessionDocument(
    string Id,
    string Route,
    string Owner,
    string ServedBy,
    string Created,
    string LastAccessed,
    long MaxInactiveSeconds,
    string Attributes)
{
    /// <summary>Every field of the contract, in the order the node writes them.</summary>
    public static readonly IReadOnlyList<string> FieldNames =
        ["id", "route", "owner", "servedBy", "created", "lastAccessed", "maxInactiveSeconds", "attributes"];

    /// <summary>Asserts a 200 JSON response with exactly the contract's fields and reads it.</summary>
    public static async Task<SessionDocument> Read(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200 with a session document, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return Parse(body);
    }

    public static SessionDocument Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal(FieldNames, root.EnumerateObject().Select(property => property.Name));
        Assert.Equal(JsonValueKind.Object, root.GetProperty("attributes").ValueKind);
        return new SessionDocument(
            root.GetProperty("id").GetString()!,
            root.GetProperty("route").GetString()!,
            root.GetProperty("owner").GetString()!,
            root.GetProperty("servedBy").GetString()!,
            root.GetProperty("created").GetString()!,
            root.GetProperty("lastAccessed").GetString()!,
            root.GetProperty("maxInactiveSeconds").GetInt64(),
            root.GetProperty("attributes").GetRawText());
    }
}
