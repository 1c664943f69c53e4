using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Web.Http;

/// <summary>Writes the JSON documents of the HTTP contract.</summary>
/// <remarks>
/// Each document is serialized into a buffer first and sent with a Content-Length in one write: streaming it
/// into the body would make Kestrel use chunked encoding and an extra flush, which costs more than the buffer.
/// </remarks>
public static class SessionJson
{
    // Responses are application/json, never HTML, so the relaxed encoder is safe and keeps quotes in messages readable.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteSession(HttpResponse response, SessionSnapshot session, string route, string servedBy)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using var writer = new Utf8JsonWriter(buffer, WriterOptions);
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
        await Send(response, writer, buffer);
    }

    public static async Task WriteAttribute(HttpResponse response, string name, byte[] value)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using var writer = new Utf8JsonWriter(buffer, WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("name", name);
        writer.WritePropertyName("value");
        writer.WriteRawValue(value, skipInputValidation: true);
        writer.WriteEndObject();
        await Send(response, writer, buffer);
    }

    /// <summary>Every error is <c>{"error": "...", "status": N}</c>, with a message that says what to change.</summary>
    public static async Task WriteError(HttpResponse response, int status, string message)
    {
        response.StatusCode = status;
        var buffer = new ArrayBufferWriter<byte>(512);
        using var writer = new Utf8JsonWriter(buffer, WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("error", message);
        writer.WriteNumber("status", status);
        writer.WriteEndObject();
        await Send(response, writer, buffer);
    }

    private static async Task Send(HttpResponse response, Utf8JsonWriter writer, ArrayBufferWriter<byte> buffer)
    {
        writer.Flush();
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = buffer.WrittenCount;
        await response.BodyWriter.WriteAsync(buffer.WrittenMemory);
    }
}
