using System.Buffers;
using System.Text.Json;

namespace SessionCluster.Web.Http;

/// <summary>Writes a JSON body built in memory first, so the response carries a Content-Length and never a half document.</summary>
public static class JsonResponse
{
    public static async Task Write(HttpResponse response, Action<Utf8JsonWriter> write, int status = StatusCodes.Status200OK)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(write);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = buffer.WrittenCount;
        await response.BodyWriter.WriteAsync(buffer.WrittenMemory, response.HttpContext.RequestAborted);
    }
}
