using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Hosting.Http;

/// <summary>Writes the JSON documents of the HTTP contract (through <see cref="JsonResponse"/>).</summary>
public static class SessionJson
{
    public static Task WriteSession(HttpResponse response, SessionSnapshot session, string route, string servedBy) =>
        JsonResponse.Write(response, (session, route, servedBy), static (writer, document) =>
        {
            var (session, route, servedBy) = document;
            writer.WriteStartObject();
            Span<char> id = stackalloc char[SessionId.TextLength];
            session.Id.TryFormat(id, out _);
            writer.WriteString("id", id);
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
        });

    public static Task WriteAttribute(HttpResponse response, string name, byte[] value) =>
        JsonResponse.Write(response, (name, value), static (writer, attribute) =>
        {
            writer.WriteStartObject();
            writer.WriteString("name", attribute.name);
            writer.WritePropertyName("value");
            writer.WriteRawValue(attribute.value, skipInputValidation: true);
            writer.WriteEndObject();
        });

    /// <summary>Every error is <c>{"error": "...", "status": N}</c>, with a message that says what to change.</summary>
    public static Task WriteError(HttpResponse response, int status, string message) =>
        JsonResponse.Write(
            response,
            (message, status),
            static (writer, error) =>
            {
                writer.WriteStartObject();
                writer.WriteString("error", error.message);
                writer.WriteNumber("status", error.status);
                writer.WriteEndObject();
            },
            status);
}
