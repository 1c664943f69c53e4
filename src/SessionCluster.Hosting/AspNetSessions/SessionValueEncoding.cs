using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace SessionCluster.Hosting.AspNetSessions;

/// <summary>Stores <c>ISession</c>'s byte values in the cluster's attribute map, whose values are compact JSON, so that
/// every value reads back byte for byte.</summary>
/// <remarks>
/// <para>Bytes that are valid UTF-8 (everything <c>SetString</c> writes, and most of what apps serialize) are stored as a
/// JSON string: readable in the session document and on the dashboard, and read back through UTF-8 exactly, since
/// strict UTF-8 decoding and re-encoding is the identity. Other bytes are stored as <c>{"$bytes":"BASE64"}</c>.
/// This beats one form for all (base64 everywhere would hide every value and cost a third more on the wire and
/// against <c>max-value-size</c>) and needs no new value type in the replicated state.</para>
/// <para>Values written through the HTTP contract are read as well: a JSON string as its text's UTF-8, any other JSON
/// value as its JSON text. The one ambiguity: an object of exactly the form above written through HTTP reads as the
/// bytes it names.</para>
/// </remarks>
public static class SessionValueEncoding
{
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly byte[] BytesPrefix = "{\"$bytes\":\""u8.ToArray();
    private static readonly byte[] BytesSuffix = "\"}"u8.ToArray();

    /// <summary>The compact JSON that stores <paramref name="value"/>.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> value)
    {
        // Checked first rather than caught: SetInt32 and most binary values are not UTF-8, and an exception per such
        // Set cost more than the rest of a commit.
        if (!Utf8.IsValid(value))
        {
            var base64 = Convert.ToBase64String(value);
            var encoded = new byte[BytesPrefix.Length + base64.Length + BytesSuffix.Length];
            BytesPrefix.CopyTo(encoded, 0);
            Encoding.ASCII.GetBytes(base64, encoded.AsSpan(BytesPrefix.Length));
            BytesSuffix.CopyTo(encoded, BytesPrefix.Length + base64.Length);
            return encoded;
        }

        var text = Encoding.UTF8.GetString(value);
        var buffer = new ArrayBufferWriter<byte>(value.Length + 2);
        using (var writer = new Utf8JsonWriter(buffer, Compact))
        {
            writer.WriteStringValue(text);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The bytes a stored value stands for (see the remarks for values written through HTTP).</summary>
    public static byte[] Decode(byte[] json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.Length > 0 && json[0] == (byte)'"')
        {
            var reader = new Utf8JsonReader(json);
            reader.Read();
            return Encoding.UTF8.GetBytes(reader.GetString()!);
        }

        var span = json.AsSpan();
        if (span.StartsWith(BytesPrefix) && span.EndsWith(BytesSuffix) && span.Length >= BytesPrefix.Length + BytesSuffix.Length)
        {
            var base64 = span[BytesPrefix.Length..^BytesSuffix.Length];
            var decoded = new byte[Base64.GetMaxDecodedFromUtf8Length(base64.Length)];
            if (Base64.DecodeFromUtf8(base64, decoded, out var consumed, out var written) == OperationStatus.Done && consumed == base64.Length)
            {
                return written == decoded.Length ? decoded : decoded[..written];
            }
        }

        return json;
    }
}
