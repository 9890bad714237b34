using EhrR1.Graph.Cli.Hosting;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Cli.Tests;

/// <summary>Plain progress lines (stderr not a terminal) give each phase its own, readable rate.</summary>
public sealed class ProgressReporterTests
{
    [Theory]
    [InlineData(12_345.6, 10, "12,346/s")]
    [InlineData(2.5, 10, "2.5/s")]
    [InlineData(1 / 37.0, 74, "37 s each")]
    [InlineData(0, 10, "none done yet")]
    public void Should_FormatARateThatReadsWell_When_ThePhaseIsFastOrSlow(double perSecond, double elapsed, string expected)
    {
        ProgressReporter.FormatRate(perSecond, elapsed).Should().Be(expected);
    }

    [Fact]
    public async Task Should_MeasureEachPhaseFromItsOwnStart_When_AnEarlierPhaseTookLong()
    {
        var clock = new ManualClock();
        var error = new StringWriter();
        var reporter = new ProgressReporter(error, isTerminal: false, "demo", clock);
        await reporter.RunAsync<int>(progress =>
        {
            progress.Report(new StageProgress("scan", 0, 1000, "rows"));
            clock.Advance(TimeSpan.FromSeconds(100));
            progress.Report(new StageProgress("scan", 1000, 1000, "rows"));

            // a slow phase: three steps at 40 s each, after 100 s of scanning
            progress.Report(new StageProgress("train", 0, 3, "steps"));
            clock.Advance(TimeSpan.FromSeconds(40));
            progress.Report(new StageProgress("train", 1, 3, "steps"));
            return Task.FromResult(0);
        });

        var lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().Contain(l => l.Contains("scan 1,000/1,000 rows (10/s)", StringComparison.Ordinal));
        lines.Should().Contain(l => l.Contains("train 1/3 steps (40 s each, eta 00:01:20)", StringComparison.Ordinal));
        lines.Should().NotContain(l => l.Contains("(0/s", StringComparison.Ordinal));
    }
}
