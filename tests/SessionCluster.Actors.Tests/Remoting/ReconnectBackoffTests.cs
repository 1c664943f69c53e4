using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Tests.Remoting;

public sealed class ReconnectBackoffTests
{
    [Theory]
    [InlineData(1, 0.0, 100)]
    [InlineData(2, 0.0, 200)]
    [InlineData(3, 0.0, 400)]
    [InlineData(6, 0.0, 3200)]
    [InlineData(7, 0.0, 5000)]      // 6400 capped at the maximum
    [InlineData(1_000, 0.0, 5000)]  // no overflow however long the peer stays away
    [InlineData(1, 1.0, 80)]        // full jitter takes a fifth off
    [InlineData(7, 0.5, 4500)]
    [InlineData(1, 7.0, 80)]        // jitter outside 0-1 is clamped
    public void Delay_DoublesFromMinToMax_LessJitter(int failures, double jitter, int expectedMs)
    {
        var delay = ReconnectBackoff.Delay(failures, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), jitter);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), delay);
    }

    [Fact]
    public void Delay_BeforeAnyFailure_IsAnError() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ReconnectBackoff.Delay(0, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), 0));
}
