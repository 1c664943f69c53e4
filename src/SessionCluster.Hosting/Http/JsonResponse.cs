using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SessionCluster.Actors.Management;

namespace SessionCluster.Hosting.Http;

/// <summary>Writes a JSON body built in memory first, so the response carries a Content-Length and never a half document:
/// the session endpoints' name for <see cref="ManagementJson"/>'s writer, which every node's JSON goes through.</summary>
/// <remarks>Streaming into the body would make Kestrel use chunked encoding and an extra flush, which costs more than
/// the buffer. The state overload lets hot paths pass a static lambda and allocate no closure per request.</remarks>
public static class JsonResponse
{
    public static Task Write(HttpResponse response, Action<Utf8JsonWriter> write, int status = StatusCodes.Status200OK) =>
        ManagementJson.Write(response, write, status);

    public static Task Write<TState>(HttpResponse response, TState state, Action<Utf8JsonWriter, TState> write, int status = StatusCodes.Status200OK) =>
        ManagementJson.Write(response, state, write, status);
}
