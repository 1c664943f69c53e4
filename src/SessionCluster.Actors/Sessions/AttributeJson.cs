using System.Buffers;
using System.Buffers.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SessionCluster.Actors.Sessions;

/// <summary>Checks and compacts attribute values, which are stored as UTF-8 JSON text.</summary>
public static class AttributeJson
{
    // Compacting must not re-escape text: "héllo" stays as sent, not "h\u00E9llo", so values keep their size and look.
    private static readonly JsonWriterOptions CompactOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Parses <paramref name="utf8"/> as one JSON value and rewrites it without insignificant whitespace.</summary>
    /// <returns>The compact bytes, or null with <paramref name="error"/> saying what is wrong and where.</returns>
    public static byte[]? TryCompact(ReadOnlySpan<byte> utf8, out string? error)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
            using var document = JsonDocument.ParseValue(ref reader);
            if (reader.BytesConsumed != utf8.Length && utf8[(int)reader.BytesConsumed..].IndexOfAnyExcept(" \t\r\n"u8) >= 0)
            {
                error = $"Malformed JSON: unexpected data after the value at byte {reader.BytesConsumed}.";
                return null;
            }

            var buffer = new ArrayBufferWriter<byte>(utf8.Length);
            using (var writer = new Utf8JsonWriter(buffer, CompactOptions))
            {
                document.RootElement.WriteTo(writer);
            }

            error = null;
            return buffer.WrittenSpan.ToArray();
        }
        catch (JsonException exception)
        {
            error = "Malformed JSON: " + exception.Message;
            return null;
        }
    }

    /// <summary>Reads a JSON integer (no fraction or exponent) that fits a 64-bit signed number.</summary>
    public static bool TryReadInteger(ReadOnlySpan<byte> utf8, out long value) =>
        Utf8Parser.TryParse(utf8, out value, out var consumed) && consumed == utf8.Length;

    public static byte[] FromInteger(long value) => System.Text.Encoding.UTF8.GetBytes(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
