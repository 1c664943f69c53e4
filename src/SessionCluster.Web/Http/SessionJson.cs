using System.Text.Encodings.Web;
using System.Text.Json;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Web.Http;

/// <summary>Writes the JSON documents of the HTTP contract straight to the response body.</summary>
public static class SessionJson
{
    // Responses are application/json, never HTML, so the relaxed encoder is safe and keeps quotes in messages readable.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteSession(HttpResponse response, SessionSnapshot session, string route, string servedBy)
    {
        response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(response.BodyWriter, WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("id", session.Id.ToString());
        writer.WriteString("route", route);
        writer.WriteString("owner", session.Owner);
        writer.WriteString("servedBy", servedBy);
        writer.WriteString("created", session.Created.UtcDateTime);
        writer.WriteString("lastAccessed", session.LastAccessed.UtcDateTime);
        writer.WriteNumber("maxInactiveSeconds", (long)session.MaxInactiveInterval.TotalSeconds);
        writer.WriteStartObject("attributes");
        foreach (var (name, value) in session.Attributes)
        {
            writer.WritePropertyName(name);
            writer.WriteRawValue(value, skipInputValidation: true);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    public static async Task WriteAttribute(HttpResponse response, string name, byte[] value)
    {
        response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(response.BodyWriter, WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("name", name);
        writer.WritePropertyName("value");
        writer.WriteRawValue(value, skipInputValidation: true);
        writer.WriteEndObject();
    }

    /// <summary>Every error is <c>{"error": "...", "status": N}</c>, with a message that says what to change.</summary>
    public static async Task WriteError(HttpResponse response, int status, string message)
    {
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(response.BodyWriter, WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("error", message);
        writer.WriteNumber("status", status);
        writer.WriteEndObject();
    }
}
