using System.Globalization;
using System.Text.Json;

namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>One request of the session contract and what came of it, with the wall-clock time it was sent (as in the node logs).</summary>
/// <param name="Request">Method and path, e.g. <c>POST /session/attributes/n/increment?by=1</c>.</param>
/// <param name="SessionId">The session whose cookie the request carried; null for a request that creates one.</param>
/// <param name="Sent">When the request was sent, local time, comparable with the node logs' timestamps.</param>
/// <param name="Elapsed">From sending to the whole response read, or to the transport error.</param>
/// <param name="Status">The HTTP status, or null when no response came (refused, reset, timed out).</param>
/// <param name="Body">The response body; empty without a response.</param>
/// <param name="Cookie">The value of the <c>Set-Cookie: SESSIONID=</c> the response carried (<c>id.route</c>), if any.</param>
/// <param name="TransportError">Why no response came, when <paramref name="Status"/> is null.</param>
internal sealed record SessionCall(
    string Request, string? SessionId, DateTime Sent, TimeSpan Elapsed, int? Status, string Body, string? Cookie, string? TransportError)
{
    public bool Succeeded => Status is >= 200 and < 300;

    /// <summary>The session id of <see cref="Cookie"/>: the part before the route.</summary>
    public string? CookieId => Cookie?.Split('.', 2)[0];

    /// <summary>The body's <c>value</c> when it is an integer (an attribute document), else null.</summary>
    public long? Value => Property("value") is { ValueKind: JsonValueKind.Number } value && value.TryGetInt64(out var number) ? number : null;

    /// <summary>The body's <c>id</c> when it is a string (a session document), else null.</summary>
    public string? BodyId => Property("id") is { ValueKind: JsonValueKind.String } id ? id.GetString() : null;

    /// <summary>The integer attribute <paramref name="name"/> of a session document (<c>attributes</c>), else null.</summary>
    public long? Attribute(string name) =>
        Property("attributes") is { ValueKind: JsonValueKind.Object } attributes && attributes.TryGetProperty(name, out var value) &&
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;

    public override string ToString()
    {
        var session = SessionId is null ? "" : $" (session {SessionId})";
        var outcome = Status is { } status ? $"{status} {Body}" : $"no response: {TransportError}";
        var cookie = Cookie is null ? "" : $" [Set-Cookie {Cookie}]";
        return $"{Sent:HH:mm:ss.fff} {Request}{session} -> {outcome}{cookie} after {Elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms";
    }

    private JsonElement? Property(string name)
    {
        try
        {
            using var document = JsonDocument.Parse(Body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out var value) ? value.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
