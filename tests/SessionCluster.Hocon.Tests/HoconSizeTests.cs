namespace SessionCluster.Hocon.Tests;

public sealed class HoconSizeTests
{
    [Theory]
    [InlineData("1024", 1024L)]
    [InlineData("0", 0L)]
    [InlineData("1B", 1L)]
    [InlineData("2 bytes", 2L)]
    [InlineData("64KiB", 64L * 1024)]
    [InlineData("10 K", 10L * 1024)]
    [InlineData("1k", 1024L)]
    [InlineData("1Ki", 1024L)]
    [InlineData("1 kibibyte", 1024L)]
    [InlineData("64kB", 64_000L)]
    [InlineData("1 kilobytes", 1000L)]
    [InlineData("1MiB", 1024L * 1024)]
    [InlineData("1m", 1024L * 1024)]
    [InlineData("1M", 1024L * 1024)]
    [InlineData("1MB", 1_000_000L)]
    [InlineData("1 megabyte", 1_000_000L)]
    [InlineData("1GiB", 1024L * 1024 * 1024)]
    [InlineData("2 g", 2L * 1024 * 1024 * 1024)]
    [InlineData("1GB", 1_000_000_000L)]
    [InlineData("1TiB", 1L << 40)]
    [InlineData("1TB", 1_000_000_000_000L)]
    [InlineData("1PiB", 1L << 50)]
    [InlineData("1.5KiB", 1536L)]
    [InlineData(" 8 MiB ", 8L * 1024 * 1024)]
    public void Parses_sizes(string text, long expected)
    {
        Assert.Equal(expected, HoconSize.Parse(text));
        Assert.True(HoconSize.TryParse(text, out var parsed));
        Assert.Equal(expected, parsed);
    }

    [Theory]
    [InlineData("", "expected a size like 512, 64KiB, 10MB or 1GiB, got ''")]
    [InlineData("abc", "got 'abc'")]
    [InlineData("10 KB", "ambiguous size unit 'KB' in '10 KB'; use KiB (1024 bytes) or kB (1000 bytes)")]
    [InlineData("10 X", "unknown size unit 'X' in '10 X'")]
    [InlineData("10 mb", "unknown size unit 'mb'")]
    [InlineData("-1K", "size '-1K' is negative")]
    [InlineData("9999999PiB", "size '9999999PiB' is too large")]
    public void Rejects_invalid_sizes_with_clear_messages(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => HoconSize.Parse(text));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.False(HoconSize.TryParse(text, out _));
    }
}
