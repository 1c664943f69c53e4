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
    [InlineData("")]
    [InlineData("0123456789abcdef0123456789abcde")]
    [InlineData("0123456789abcdef0123456789abcdef0")]
    [InlineData("0123456789abcdef0123456789abcdeg")]
    [InlineData("+123456789abcdef0123456789abcdef")]
    [InlineData(" 123456789abcdef0123456789abcdef")]
    public void TryParse_Malformed_ReturnsFalse(string text) => Assert.False(SessionId.TryParse(text, out _));
}
