using EhrR1.Graph.Reports.RunReport;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Reports.Tests;

/// <summary>The GRPO reward curve: read from metrics.jsonl, drawn as SVG, and shown at the top of the run report.</summary>
public sealed class RewardCurveTests
{
    private static readonly string Fixture = TestPaths.TestData("training", "grpo-metrics.jsonl");

    [Fact]
    public void Should_ReadTheMeanRewardsOfEachStep_When_GivenGrpoMetrics()
    {
        var steps = RewardCurveChart.ReadMetrics(Fixture);

        steps.Select(s => s.Step).Should().Equal(1, 2, 3, 4, 5);
        steps.Select(s => s.Verify).Should().Equal(0.0, 0.125, 0.25, 0.375, 0.5);
    }

    [Fact]
    public void Should_DrawNothing_When_MetricsAreAnSftRunsOrTorn()
    {
        using var tmp = new TempDirectory();
        var sft = tmp.Combine("metrics.jsonl");
        File.WriteAllText(sft, "{\"Step\":1,\"LearningRate\":0.002,\"Loss\":11.9,\"GradNorm\":3.1,\"Tokens\":40,\"EvalLoss\":null}\n{\"Step\":2,\"Loss\"");

        RewardCurveChart.ReadMetrics(sft).Should().BeEmpty();
        RewardCurveChart.SaveSvg([], tmp.Combine("none.svg")).Should().BeEmpty();
        File.Exists(tmp.Combine("none.svg")).Should().BeFalse();
    }

    [Fact]
    public void Should_WriteAnSvgOfTheVerifyReward_When_GivenSteps()
    {
        using var tmp = new TempDirectory();

        var written = RewardCurveChart.SaveSvg(RewardCurveChart.ReadMetrics(Fixture), tmp.Combine("reward-curve.svg"));

        written.Should().Equal(tmp.Combine("reward-curve.svg"));
        var svg = File.ReadAllText(written[0]);
        svg.Should().Contain("<svg").And.Contain("verify reward (mean)").And.Contain("GRPO reward curve");
    }

    [Fact]
    public void Should_EmbedAndLinkTheRewardCurveAtTheTop_When_TheRunHasGrpoMetrics()
    {
        // Given: a run with stage 1's SFT metrics (no rewards) and GRPO's metrics and own chart files
        using var tmp = new TempDirectory();
        Directory.CreateDirectory(tmp.Combine("model"));
        File.WriteAllText(tmp.Combine("model", "metrics.jsonl"), "{\"Step\":1,\"LearningRate\":0.002,\"Loss\":11.9,\"GradNorm\":3.1,\"Tokens\":40,\"EvalLoss\":null}\n");
        Directory.CreateDirectory(tmp.Combine("model-grpo"));
        File.Copy(Fixture, tmp.Combine("model-grpo", "metrics.jsonl"));
        File.WriteAllText(tmp.Combine("model-grpo", "reward-curve.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>stage-own-curve</text></svg>");
        Directory.CreateDirectory(tmp.Combine("tasks"));

        // When
        var result = RunReportBuilder.Build(tmp.Path);

        // Then: report/reward-curve.svg is drawn from the metrics, inlined under its own heading before the stage
        // sections and linked; the stage's own copy of the curve is not shown twice; stage 1 draws no reward curve
        var html = File.ReadAllText(result.HtmlPath);
        File.Exists(tmp.Combine("report", "reward-curve.svg")).Should().BeTrue();
        html.Should().Contain("id=\"reward-curve\"").And.Contain("href=\"reward-curve.svg\"").And.Contain("model-grpo/metrics.jsonl").And.Contain("verify reward (mean)");
        html.Should().NotContain("stage-own-curve");
        html.IndexOf("id=\"reward-curve\"", StringComparison.Ordinal).Should().BeLessThan(html.IndexOf("id=\"tasks\"", StringComparison.Ordinal));
        html.IndexOf("id=\"model\"", StringComparison.Ordinal).Should().BeLessThan(html.IndexOf("id=\"model-grpo\"", StringComparison.Ordinal));
        result.Figures.Should().Be(1);
        File.ReadAllText(result.MarkdownPath).Should().Contain("[reward-curve.svg](reward-curve.svg)");
    }
}
