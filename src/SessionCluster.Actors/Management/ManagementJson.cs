using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace SessionCluster.Actors.Management;

/// <summary>Writes the management API's JSON documents, built in memory first so that a response carries a
/// Content-Length and never half a document; errors in the contract's shape <c>{"error","status"}</c>.</summary>
public static class ManagementJson
{
    // Responses are application/json, never HTML, so the relaxed encoder is safe and keeps messages readable.
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Serializes with <paramref name="write"/> into a buffer.</summary>
    public static ReadOnlyMemory<byte> Serialize(Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        return buffer.WrittenMemory;
    }

    public static Task Write(HttpResponse response, Action<Utf8JsonWriter> write, int status = StatusCodes.Status200OK) =>
        Write(response, write, static (writer, write) => write(writer), status);

    /// <summary>The same with a state for <paramref name="write"/>, so that hot paths pass a static lambda and allocate
    /// no closure per request.</summary>
    /// <remarks>The document is built in this thread's <see cref="JsonScratch"/> and copied into the response's own
    /// buffer before anything is awaited, so a response allocates neither a buffer nor a writer.</remarks>
    public static Task Write<TState>(HttpResponse response, TState state, Action<Utf8JsonWriter, TState> write, int status = StatusCodes.Status200OK)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(write);
        var scratch = JsonScratch.Rent();
        try
        {
            write(scratch.Writer, state);
            scratch.Writer.Flush();
            response.StatusCode = status;
            response.ContentType = "application/json; charset=utf-8";
            response.ContentLength = scratch.Written.Length;
            response.BodyWriter.Write(scratch.Written);
        }
        finally
        {
            scratch.Return();
        }

        var flush = response.BodyWriter.FlushAsync(response.HttpContext.RequestAborted);
        return flush.IsCompletedSuccessfully ? Task.CompletedTask : flush.AsTask();
    }

    /// <summary><c>{"error": "...", "status": N}</c>, with a message that says what to change.</summary>
    public static Task WriteError(HttpResponse response, int status, string message) =>
        Write(
            response,
            writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("error", message);
                writer.WriteNumber("status", status);
                writer.WriteEndObject();
            },
            status);

    /// <summary>A failed outcome as an error document; a 503 also says when to retry.</summary>
    public static Task WriteOutcome(HttpResponse response, ManagementOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Status == StatusCodes.Status503ServiceUnavailable)
        {
            response.Headers.RetryAfter = "1";
        }

        return WriteError(response, outcome.Status, outcome.Error);
    }

    /// <summary>A string property, or null when <paramref name="value"/> is.</summary>
    public static void WriteStringOrNull(Utf8JsonWriter writer, string name, string? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
