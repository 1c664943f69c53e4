using System.Text;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Actors.Tests.Sessions;

public sealed class AttributeJsonTests
{
    [Theory]
    [InlineData("{ \"a\" : [1, 2 ] }", "{\"a\":[1,2]}")]
    [InlineData(" \"text\" ", "\"text\"")]
    [InlineData("42", "42")]
    [InlineData("-1.5e3", "-1.5e3")]
    [InlineData("true", "true")]
    [InlineData("null", "null")]
    [InlineData("\"\\u00e9\"", "\"é\"")]
    [InlineData("\"<b>&'\\\"\"", "\"<b>&'\\\"\"")]
    public void TryCompact_ValidJson_RemovesWhitespace(string input, string expected)
    {
        var compact = AttributeJson.TryCompact(Encoding.UTF8.GetBytes(input), out var error);

        Assert.Null(error);
        Assert.Equal(expected, Encoding.UTF8.GetString(compact!));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{bad")]
    [InlineData("[1,]")]
    [InlineData("1 2")]
    [InlineData("'single'")]
    [InlineData("// comment\n1")]
    [InlineData("{\"a\":1}}")]
    public void TryCompact_Malformed_ReturnsNullWithMessage(string input)
    {
        Assert.Null(AttributeJson.TryCompact(Encoding.UTF8.GetBytes(input), out var error));
        Assert.StartsWith("Malformed JSON", error);
    }

    [Theory]
    [InlineData("0", true, 0L)]
    [InlineData("-17", true, -17L)]
    [InlineData("9223372036854775807", true, long.MaxValue)]
    [InlineData("9223372036854775808", false, 0L)]
    [InlineData("1.0", false, 0L)]
    [InlineData("\"1\"", false, 0L)]
    public void TryReadInteger_AcceptsOnlyPlainIntegers(string input, bool ok, long expected)
    {
        Assert.Equal(ok, AttributeJson.TryReadInteger(Encoding.UTF8.GetBytes(input), out var value));
        if (ok)
        {
            Assert.Equal(expected, value);
        }
    }
}
