using EhrR1.Graph.Reasoning.Endpoints;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Reasoning.Tests.Endpoints;

public sealed class RateLimiterTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(20, 0, 1)]
    [InlineData(0, 3_000, 2)]
    [InlineData(25, 4_000, 3)]
    public void Should_KeepEverySlidingWindowAtTheServerWithinLimits_When_ArrivalLagsTheGrant(int rpm, long tpm, int seed)
    {
        // Event simulation on a fake clock: 16 workers, latencies up to 20 s, each request reaching the server at a
        // random moment between its grant and its end (often exactly at the end, the worst case), 10% of attempts
        // failing with no usage and retried; the usage is at most the reservation.
        var clock = new ManualClock();
        using var limiter = new RateLimiter(rpm, tpm, clock, Minute);
        var rng = new Random(seed);
        var inFlight = new List<(RateLimiter.Lease Lease, long EndAt, long Usage)>();
        var arrivals = new List<(long At, long Tokens)>();
        var perSecond = clock.TimestampFrequency;
        var end = clock.GetTimestamp() + (600 * perSecond);
        var retries = 0;
        while (clock.GetTimestamp() < end)
        {
            var now = clock.GetTimestamp();
            foreach (var done in inFlight.Where(f => f.EndAt <= now).ToList())
            {
                done.Lease.Reconcile(done.Usage);
                done.Lease.Dispose();
                inFlight.Remove(done);
            }

            while (inFlight.Count < 16)
            {
                var reservation = 100 + rng.Next(300);
                if (!limiter.TryAcquire(reservation, out var lease, out _))
                {
                    break;
                }

                var latency = (long)(rng.NextDouble() * 20 * perSecond);
                var failed = rng.NextDouble() < 0.1;
                retries += failed ? 1 : 0;
                var usage = failed ? 0 : reservation - rng.Next(100);
                var arrival = rng.NextDouble() < 0.5 ? now + latency : now + (long)(rng.NextDouble() * latency);
                arrivals.Add((arrival, usage));
                inFlight.Add((lease!, now + latency, usage));
            }

            clock.Advance(TimeSpan.FromMilliseconds(rng.Next(1, 400)));
        }

        arrivals.Sort((a, b) => a.At.CompareTo(b.At));
        var (maxRequests, maxTokens) = MaxInAnyWindow(arrivals, 60 * perSecond);
        if (rpm > 0)
        {
            maxRequests.Should().BeLessThanOrEqualTo(rpm);
            maxRequests.Should().BeGreaterThanOrEqualTo(rpm - 2, "the limit is reached, so the check is not vacuous");
        }

        if (tpm > 0)
        {
            maxTokens.Should().BeLessThanOrEqualTo(tpm);
            maxTokens.Should().BeGreaterThan(tpm * 8 / 10, "the token budget is nearly used");
        }

        retries.Should().BeGreaterThan(0);
    }

    [Fact]
    public void Should_ExceedRpmAtTheServer_When_SlotsWereFreedOneWindowAfterTheGrant()
    {
        // The same arrivals judged by grant time alone (the previous limiter's rule) break the limit: the check above
        // therefore distinguishes the two rules.
        var grants = new List<(long At, long Tokens)>();
        var arrivals = new List<(long At, long Tokens)>();
        const long second = 1_000_000;
        for (var i = 0; i < 40; i++)
        {
            // 10 grants per window-start, the first batch arriving 5 s late, the second on time.
            var grant = (i / 10 * 60 * second) + i;
            grants.Add((grant, 1));
            arrivals.Add((grant + (i < 10 ? 5 * second : 0), 1));
        }

        MaxInAnyWindow(grants, 60 * second).Requests.Should().Be(10);
        arrivals.Sort((a, b) => a.At.CompareTo(b.At));
        MaxInAnyWindow(arrivals, 60 * second).Requests.Should().Be(20);
    }

    [Fact]
    public void Should_HoldTheSlotForAWindowAfterTheEnd_When_ARequestIsSlow()
    {
        var clock = new ManualClock();
        using var limiter = new RateLimiter(1, 0, clock, Minute);
        limiter.TryAcquire(1, out var first, out _).Should().BeTrue();
        clock.Advance(TimeSpan.FromSeconds(90));

        limiter.TryAcquire(1, out _, out var wait).Should().BeFalse("the first request is still in flight");
        wait.Should().BeNull("only its end can make room");
        first!.Dispose();
        limiter.TryAcquire(1, out _, out wait).Should().BeFalse();
        wait.Should().Be(Minute);
        clock.Advance(TimeSpan.FromSeconds(59.999));
        limiter.TryAcquire(1, out _, out _).Should().BeFalse();
        clock.Advance(TimeSpan.FromMilliseconds(1));
        limiter.TryAcquire(1, out var second, out _).Should().BeTrue();
        second!.StartedAt.Should().Be(first.EndedAt!.Value + (60 * clock.TimestampFrequency));
    }

    [Fact]
    public void Should_AdmitExactlyRpm_When_WindowIsFull()
    {
        var clock = new ManualClock();
        using var limiter = new RateLimiter(5, 0, clock, Minute);
        var leases = new List<RateLimiter.Lease>();
        for (var tries = 0; leases.Count < 12 && tries < 100; tries++)
        {
            if (limiter.TryAcquire(1, out var lease, out var wait))
            {
                clock.Advance(TimeSpan.FromMilliseconds(10));
                lease!.Dispose();
                leases.Add(lease);
            }
            else
            {
                wait.Should().NotBeNull("every request has ended, so only the window holds them back");
                clock.Advance(wait!.Value);
            }
        }

        // A grant comes one window after the end of the request five places earlier, and not later.
        leases.Should().HaveCount(12);
        for (var i = 5; i < leases.Count; i++)
        {
            (leases[i].StartedAt - leases[i - 5].EndedAt!.Value).Should().BeGreaterThanOrEqualTo(60 * clock.TimestampFrequency);
        }

        leases[5].StartedAt.Should().Be(leases[0].EndedAt!.Value + (60 * clock.TimestampFrequency), "the sixth waits exactly until the first slot leaves the window");
    }

    [Trait("Category", "Timing")]
    [Fact]
    public async Task Should_WakeAWaiter_When_ARequestInFlightEnds()
    {
        using var limiter = new RateLimiter(1, 0, window: TimeSpan.FromMilliseconds(200));
        var first = await limiter.AcquireAsync(1, CancellationToken.None);
        var second = limiter.AcquireAsync(1, CancellationToken.None).AsTask();
        await Task.Delay(300);
        second.IsCompleted.Should().BeFalse("the first request has not ended");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        first.Dispose();

        (await second).Dispose();

        clock.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(190));
    }

    [Fact]
    public async Task Should_CountReconciledUsage_When_EstimateWasTooHigh()
    {
        using var limiter = new RateLimiter(0, 1000, window: TimeSpan.FromSeconds(30));
        var lease = await limiter.AcquireAsync(900, CancellationToken.None);
        lease.Reconcile(100);
        lease.Dispose();

        var second = limiter.AcquireAsync(800, CancellationToken.None);

        second.IsCompleted.Should().BeTrue("900 was reserved; only 100 was used, so 800 more fit in 1000");
        limiter.Snapshot().Tokens.Should().Be(900);
        await second;
    }

    [Fact]
    public void Should_Wait_When_TokenBudgetIsUsed()
    {
        var clock = new ManualClock();
        using var limiter = new RateLimiter(0, 1000, clock, Minute);
        limiter.TryAcquire(700, out var first, out _).Should().BeTrue();
        first!.Dispose();

        limiter.TryAcquire(700, out _, out var wait).Should().BeFalse("700 + 700 tokens exceed 1000 in one window");
        wait.Should().Be(Minute);
        clock.Advance(TimeSpan.FromSeconds(59.999));
        limiter.TryAcquire(700, out _, out _).Should().BeFalse();
        clock.Advance(TimeSpan.FromMilliseconds(1));
        limiter.TryAcquire(700, out var second, out _).Should().BeTrue();
        second!.Dispose();
    }

    [Fact]
    public void Should_ReserveAnUpperBoundOfTheTokens_When_TheRequestIsBuilt()
    {
        var request = new ChatRequest { Messages = [ChatMessage.System("sé"), ChatMessage.User(new string('x', 400))], MaxTokens = 50, N = 2 };

        // Bytes (2 + 1 accent byte + 400) + roles (6 + 4) + 8 per message and 8 for the template, then 2 x 50.
        ChatEndpointClient.ReserveTokens(request).Should().Be(403 + 10 + 24 + 100);
    }

    private static (int Requests, long Tokens) MaxInAnyWindow(List<(long At, long Tokens)> sorted, long window)
    {
        int maxRequests = 0, lo = 0;
        long maxTokens = 0, sum = 0;
        for (var hi = 0; hi < sorted.Count; hi++)
        {
            sum += sorted[hi].Tokens;
            while (sorted[hi].At - sorted[lo].At >= window)
            {
                sum -= sorted[lo].Tokens;
                lo++;
            }

            maxRequests = Math.Max(maxRequests, hi - lo + 1);
            maxTokens = Math.Max(maxTokens, sum);
        }

        return (maxRequests, maxTokens);
    }
}
