namespace SessionCluster.Hocon.Tests;

public sealed class HoconDurationTests
{
    [Theory]
    [InlineData("200ms", 200 * TimeSpan.TicksPerMillisecond)]
    [InlineData("5s", 5 * TimeSpan.TicksPerSecond)]
    [InlineData("5 s", 5 * TimeSpan.TicksPerSecond)]
    [InlineData(" 10 seconds ", 10 * TimeSpan.TicksPerSecond)]
    [InlineData("1 second", TimeSpan.TicksPerSecond)]
    [InlineData("30m", 30 * TimeSpan.TicksPerMinute)]
    [InlineData("30 minutes", 30 * TimeSpan.TicksPerMinute)]
    [InlineData("1h", TimeSpan.TicksPerHour)]
    [InlineData("2 hours", 2 * TimeSpan.TicksPerHour)]
    [InlineData("2d", 2 * TimeSpan.TicksPerDay)]
    [InlineData("1 day", TimeSpan.TicksPerDay)]
    [InlineData("500us", 500 * TimeSpan.TicksPerMicrosecond)]
    [InlineData("500 micros", 500 * TimeSpan.TicksPerMicrosecond)]
    [InlineData("3 microseconds", 3 * TimeSpan.TicksPerMicrosecond)]
    [InlineData("1000ns", 10)]
    [InlineData("100 nanoseconds", 1)]
    [InlineData("7 millis", 7 * TimeSpan.TicksPerMillisecond)]
    [InlineData("150", 150 * TimeSpan.TicksPerMillisecond)]
    [InlineData("0", 0)]
    [InlineData("1.5s", 1500 * TimeSpan.TicksPerMillisecond)]
    [InlineData("-5s", -5 * TimeSpan.TicksPerSecond)]
    [InlineData("1e3ms", TimeSpan.TicksPerSecond)]
    [InlineData("5S", 5 * TimeSpan.TicksPerSecond)]
    public void Parses_durations(string text, long expectedTicks)
    {
        Assert.Equal(TimeSpan.FromTicks(expectedTicks), HoconDuration.Parse(text));
        Assert.True(HoconDuration.TryParse(text, out var parsed));
        Assert.Equal(TimeSpan.FromTicks(expectedTicks), parsed);
    }

    [Theory]
    [InlineData("", "expected a duration like 30s, 200ms or 5 minutes, got ''")]
    [InlineData("abc", "expected a duration like 30s, 200ms or 5 minutes, got 'abc'")]
    [InlineData("ms", "got 'ms'")]
    [InlineData("1.2.3s", "got '1.2.3s'")]
    [InlineData("5 s s", "got '5 s s'")]
    [InlineData("5 weeks", "unknown duration unit 'weeks' in '5 weeks'")]
    [InlineData("5 parsecs", "use ns, us, ms, s, m, h or d")]
    [InlineData("99999999999d", "duration '99999999999d' is too large")]
    public void Rejects_invalid_durations_with_clear_messages(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => HoconDuration.Parse(text));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.False(HoconDuration.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_rejects_null()
    {
        Assert.False(HoconDuration.TryParse(null, out var value));
        Assert.Equal(TimeSpan.Zero, value);
    }
}
