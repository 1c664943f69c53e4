using System.Text;
using SessionCluster.Actors.Sessions;
using SessionCluster.Hosting.AspNetSessions;

namespace SessionCluster.Hosting.Tests;

/// <summary>How ISession bytes are stored as compact JSON: UTF-8 text as a JSON string, anything else as base64 under
/// a marker, every form exact both ways; values written through the HTTP contract read sensibly.</summary>
public sealed class SessionValueEncodingTests
{
    [Theory]
    [InlineData("hello", "\"hello\"")]
    [InlineData("", "\"\"")]
    [InlineData("héllo \"q\"", "\"héllo \\\"q\\\"\"")]
    public void Utf8Text_IsStoredAsAJsonString(string text, string json) =>
        Assert.Equal(json, Encoding.UTF8.GetString(SessionValueEncoding.Encode(Encoding.UTF8.GetBytes(text))));

    [Fact]
    public void InvalidUtf8_IsStoredAsBase64UnderTheMarker() =>
        Assert.Equal("{\"$bytes\":\"/8Mo\"}", Encoding.UTF8.GetString(SessionValueEncoding.Encode([0xFF, 0xC3, 0x28])));

    [Fact]
    public void EveryEncoding_IsCompactJson_AndDecodesToTheSameBytes()
    {
        var random = new Random(7);
        for (var i = 0; i < 500; i++)
        {
            var value = new byte[random.Next(0, 40)];
            random.NextBytes(value);
            if (i % 2 == 0)
            {
                // Half of them valid UTF-8 with escapes and multi-byte characters.
                value = Encoding.UTF8.GetBytes(new string([.. value.Select(b => (char)(b % 3 == 0 ? b : b + 0x80))]));
            }

            var encoded = SessionValueEncoding.Encode(value);

            Assert.Equal(encoded, AttributeJson.TryCompact(encoded, out var error) ?? throw new InvalidOperationException(error));
            Assert.Equal(value, SessionValueEncoding.Decode(encoded));
        }
    }

    [Theory]
    [InlineData("{\"$bytes\":\"\"}", "")]
    [InlineData("{\"$bytes\":\"AA==\"}", "00")]
    [InlineData("{\"$bytes\":\"AAAF\"}", "000005")]
    [InlineData("{\"$bytes\":\"/8Mo\"}", "FFC328")]
    public void TheBytesMarker_DecodesItsBase64(string json, string hex) =>
        Assert.Equal(hex, Convert.ToHexString(SessionValueEncoding.Decode(Encoding.UTF8.GetBytes(json))));

    [Theory]
    [InlineData("{\"$bytes\":\"not base64!\"}")]
    [InlineData("{\"$bytes\":\"AAA\"}")]
    [InlineData("{\"$bytes\":\"A===\"}")]
    public void TheBytesMarker_AroundNoBase64_ReadsAsItsJson(string json) =>
        Assert.Equal(json, Encoding.UTF8.GetString(SessionValueEncoding.Decode(Encoding.UTF8.GetBytes(json))));

    [Theory]
    [InlineData("\"alice\"", "alice")]
    [InlineData("{\"items\":[1,2]}", "{\"items\":[1,2]}")]
    [InlineData("42", "42")]
    public void ValuesWrittenThroughHttp_ReadAsTextOrTheirJson(string json, string text) =>
        Assert.Equal(text, Encoding.UTF8.GetString(SessionValueEncoding.Decode(Encoding.UTF8.GetBytes(json))));
}
