using SessionCluster.Actors.Sessions;

namespace SessionCluster.Actors.Tests.Sessions;

public sealed class SessionIdTests
{
    [Fact]
    public void New_Is32LowercaseHexAndRoundTrips()
    {
        var id = SessionId.New();
        var text = id.ToString();

        Assert.Matches("^[0-9a-f]{32}$", text);
        Assert.True(SessionId.TryParse(text, out var parsed));
        Assert.Equal(id, parsed);
    }

    [Fact]
    public void New_DoesNotRepeat()
    {
        var ids = Enumerable.Range(0, 100_000).Select(_ => SessionId.New()).ToHashSet();

        Assert.Equal(100_000, ids.Count);
    }

    [Theory]
    [InlineData("00000000000000000000000000000000")]
    [InlineData("00000000000000000000000000000001")]
    [InlineData("0123456789abcdef0123456789abcdef")]
    [InlineData("80000000000000000000000000000000")]
    [InlineData("ffffffffffffffffffffffffffffffff")]
    public void Text_IsTheValueIn32LowercaseHexDigits_AsStringOrIntoASpan(string expected)
    {
        var id = new SessionId(UInt128.Parse(expected, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture));
        Span<char> span = stackalloc char[SessionId.TextLength];

        Assert.Equal(expected, id.ToString());
        Assert.True(id.TryFormat(span, out var written));
        Assert.Equal(SessionId.TextLength, written);
        Assert.Equal(expected, span.ToString());
        Assert.Equal(expected + ".w1", $"{id}.w1");
        Assert.False(id.TryFormat(stackalloc char[SessionId.TextLength - 1], out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0123456789abcdef0123456789abcde")]
    [InlineData("0123456789abcdef0123456789abcdef0")]
    [InlineData("0123456789abcdef0123456789abcdeg")]
    [InlineData("+123456789abcdef0123456789abcdef")]
    [InlineData(" 123456789abcdef0123456789abcdef")]
    public void TryParse_Malformed_ReturnsFalse(string text) => Assert.False(SessionId.TryParse(text, out _));
}
