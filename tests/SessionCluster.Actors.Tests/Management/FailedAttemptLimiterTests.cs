using SessionCluster.Actors.Management;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Management;

/// <summary>Failed token attempts per client over a sliding minute: the limit, the wait it names, and other clients.</summary>
public sealed class FailedAttemptLimiterTests
{
    [Fact]
    public void A_client_may_fail_up_to_the_limit_then_waits_until_its_oldest_failure_leaves_the_minute()
    {
        var clock = new ManualTimeProvider();
        var limiter = new FailedAttemptLimiter(3, clock);

        limiter.RecordFailure("10.0.0.1");
        clock.Advance(TimeSpan.FromSeconds(10));
        limiter.RecordFailure("10.0.0.1");
        Assert.Null(limiter.RetryAfter("10.0.0.1"));
        limiter.RecordFailure("10.0.0.1");

        Assert.Equal(TimeSpan.FromSeconds(50), limiter.RetryAfter("10.0.0.1"));
        Assert.Null(limiter.RetryAfter("10.0.0.2"));
        clock.Advance(TimeSpan.FromSeconds(49));
        Assert.Equal(TimeSpan.FromSeconds(1), limiter.RetryAfter("10.0.0.1"));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(limiter.RetryAfter("10.0.0.1"));
    }

    [Fact]
    public void Failures_older_than_a_minute_do_not_count()
    {
        var clock = new ManualTimeProvider();
        var limiter = new FailedAttemptLimiter(2, clock);

        limiter.RecordFailure("c");
        clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(1, limiter.RecordFailure("c"));
        Assert.Null(limiter.RetryAfter("c"));
    }

    [Fact]
    public void Memory_stays_bounded_when_many_clients_fail()
    {
        var clock = new ManualTimeProvider();
        var limiter = new FailedAttemptLimiter(1, clock);

        for (var i = 0; i < FailedAttemptLimiter.MaxClients + 10; i++)
        {
            limiter.RecordFailure("client-" + i);
            clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        // The newest are remembered (the stalest made room for them).
        Assert.NotNull(limiter.RetryAfter("client-" + (FailedAttemptLimiter.MaxClients + 9)));
        Assert.Null(limiter.RetryAfter("client-0"));
    }
}
