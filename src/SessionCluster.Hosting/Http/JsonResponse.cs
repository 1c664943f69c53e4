using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace SessionCluster.Hosting.Http;

/// <summary>Writes a JSON body built in memory first, so the response carries a Content-Length and never a half document.</summary>
/// <remarks>Streaming into the body would make Kestrel use chunked encoding and an extra flush, which costs more than
/// the buffer. The state overload lets hot paths pass a static lambda and allocate no closure per request.</remarks>
public static class JsonResponse
{
    // Responses are application/json, never HTML, so the relaxed encoder is safe and keeps quotes in messages readable.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Task Write(HttpResponse response, Action<Utf8JsonWriter> write, int status = StatusCodes.Status200OK) =>
        Write(response, write, static (writer, write) => write(writer), status);

    public static async Task Write<TState>(HttpResponse response, TState state, Action<Utf8JsonWriter, TState> write, int status = StatusCodes.Status200OK)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(write);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer, state);
        }

        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = buffer.WrittenCount;
        await response.BodyWriter.WriteAsync(buffer.WrittenMemory, response.HttpContext.RequestAborted);
    }
}
