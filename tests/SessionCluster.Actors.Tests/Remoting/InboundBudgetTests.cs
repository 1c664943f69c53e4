using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Tests.Remoting;

/// <summary>The inbound token bucket: a second's worth in a burst, refilled at the rate, overdrawn spends wait it off.</summary>
public sealed class InboundBudgetTests
{
    private const int Rate = 1000;

    [Theory]
    [InlineData(0, 1000, 0)]        // a full bucket takes a second's worth at once
    [InlineData(0, 1500, 500)]      // 500 over: half a second
    [InlineData(0, 3000, 2000)]
    [InlineData(250, 1250, 250)]    // after 250 ms, no refill past full: 1000 tokens, 250 over
    public void Spend_from_a_full_bucket_waits_for_the_overdraft(int atMilliseconds, int messages, int waitMilliseconds)
    {
        var (_, wait) = InboundBudget.Full(Rate, TimeSpan.Zero).Spend(messages, TimeSpan.FromMilliseconds(atMilliseconds), Rate);

        Assert.Equal(TimeSpan.FromMilliseconds(waitMilliseconds), wait);
    }

    [Fact]
    public void Refill_follows_elapsed_time_and_repays_debt()
    {
        var (budget, wait) = InboundBudget.Full(Rate, TimeSpan.Zero).Spend(1500, TimeSpan.Zero, Rate);
        Assert.Equal(TimeSpan.FromMilliseconds(500), wait);

        (budget, wait) = budget.Spend(0, TimeSpan.FromMilliseconds(500), Rate);   // the debt repaid exactly
        Assert.Equal(TimeSpan.Zero, wait);
        Assert.Equal(0, budget.Tokens, precision: 6);

        (_, wait) = budget.Spend(100, TimeSpan.FromMilliseconds(600), Rate);       // 100 ms refilled 100 tokens
        Assert.Equal(TimeSpan.Zero, wait);
    }

    [Fact]
    public void A_clock_that_goes_back_refills_nothing()
    {
        var (budget, _) = InboundBudget.Full(Rate, TimeSpan.FromSeconds(5)).Spend(1000, TimeSpan.FromSeconds(5), Rate);

        var (_, wait) = budget.Spend(10, TimeSpan.FromSeconds(4), Rate);

        Assert.Equal(TimeSpan.FromMilliseconds(10), wait);
    }
}
