using EhrR1.Graph.Reasoning.Endpoints;

namespace EhrR1.Graph.Reasoning.Tests.Endpoints;

public sealed class RateLimiterTests
{
    [Fact]
    public async Task Should_AdmitExactlyRpm_When_WindowIsFull()
    {
        using var limiter = new RateLimiter(5, 0, window: TimeSpan.FromMilliseconds(500));
        var started = new List<long>();
        for (var i = 0; i < 12; i++)
        {
            var lease = await limiter.AcquireAsync(1, CancellationToken.None);
            started.Add(lease.StartedAt);
        }

        // In any 500 ms window at most 5 starts (admission times as the limiter recorded them).
        for (var i = 5; i < started.Count; i++)
        {
            System.Diagnostics.Stopwatch.GetElapsedTime(started[i - 5], started[i]).Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(500));
        }
    }

    [Fact]
    public async Task Should_CountReconciledUsage_When_EstimateWasTooHigh()
    {
        using var limiter = new RateLimiter(0, 1000, window: TimeSpan.FromSeconds(30));
        var lease = await limiter.AcquireAsync(900, CancellationToken.None);
        lease.Reconcile(100);

        var second = limiter.AcquireAsync(800, CancellationToken.None);

        second.IsCompleted.Should().BeTrue("900 was an estimate; only 100 was used, so 800 more fit in 1000");
        limiter.Snapshot().Tokens.Should().Be(900);
        await second;
    }

    [Fact]
    public async Task Should_Wait_When_TokenBudgetIsUsed()
    {
        using var limiter = new RateLimiter(0, 1000, window: TimeSpan.FromMilliseconds(400));
        await limiter.AcquireAsync(700, CancellationToken.None);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        await limiter.AcquireAsync(700, CancellationToken.None);

        clock.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(380));
    }
}
