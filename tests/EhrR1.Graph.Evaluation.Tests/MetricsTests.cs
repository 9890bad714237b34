using EhrR1.Graph.Evaluation.Metrics;

namespace EhrR1.Graph.Evaluation.Tests;

public sealed class MetricsTests
{
    [Fact]
    public void Should_ScoreTextAfterLastThinkClose_When_OutputHasThinking()
    {
        var output = "<think>\nmaybe </think> is mentioned\n</think>\n\nGlucose\n\n glucose \nSodium";
        var answer = AnswerText.ExtractAnswer(output, out var unterminated);
        unterminated.Should().BeFalse();
        AnswerText.NormalizeLines(answer).Should().Equal("glucose", "sodium");
    }

    [Fact]
    public void Should_ReturnEmptyAnswer_When_ThinkingIsNeverClosed()
    {
        AnswerText.ExtractAnswer("<think>\nstill reasoning about Glucose", out var unterminated).Should().BeEmpty();
        unterminated.Should().BeTrue();
    }

    [Fact]
    public void Should_SplitOnLiteralBackslashN_When_ModelWritesItAsText()
    {
        AnswerText.NormalizeLines("Glucose\\nSodium\n\n  \nPOTASSIUM").Should().Equal("glucose", "sodium", "potassium");
    }

    [Fact]
    public void Should_CountExactMatchOnlyForEqualSets_When_ScoringLabelSets()
    {
        SetMetrics.Score(["a", "b"], ["b", "a"]).ExactMatch.Should().BeTrue();
        SetMetrics.Score(["a"], ["a", "b"]).ExactMatch.Should().BeFalse();
        SetMetrics.Score([], ["a"]).Should().Be(new SetScore(0, 0, 0, false));
    }

    [Fact]
    public void Should_MatchCaseInsensitivePrefix_When_ScoringNextEvent()
    {
        SetMetrics.StartsWithMatch("  LabEvents (lab tests)", "labevents").Should().BeTrue();
        SetMetrics.StartsWithMatch("lab", "labevents").Should().BeFalse();
        SetMetrics.StartsWithMatch("anything", " ").Should().BeFalse();
    }

    [Fact]
    public void Should_ReturnNullAuroc_When_OnlyOneClassIsPresent()
    {
        RocAnalysis.Auroc([0.1, 0.9], [true, true]).Should().BeNull();
        RocAnalysis.Curve([0.1, 0.9], [false, false]).Should().BeEmpty();
    }

    [Fact]
    public void Should_EqualPairCountingDefinition_When_ScoresHaveManyTies()
    {
        var rng = new Random(7);
        var scores = Enumerable.Range(0, 400).Select(_ => Math.Round(rng.NextDouble(), 1)).ToList();
        var labels = scores.Select(s => rng.NextDouble() < s).ToList();
        double wins = 0, pairs = 0;
        for (var i = 0; i < scores.Count; i++)
        {
            for (var j = 0; j < scores.Count; j++)
            {
                if (labels[i] && !labels[j])
                {
                    pairs++;
                    wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                }
            }
        }

        RocAnalysis.Auroc(scores, labels).Should().BeApproximately(wins / pairs, 1e-12);
    }

    [Fact]
    public void Should_KeepEndpoints_When_ThinningRocCurve()
    {
        var curve = Enumerable.Range(0, 1000).Select(i => new RocPoint(i / 999.0, i / 999.0, 1 - (i / 999.0))).ToList();
        var thin = RocAnalysis.Thin(curve, 50);
        thin.Should().HaveCount(50);
        thin[0].Should().Be(curve[0]);
        thin[^1].Should().Be(curve[^1]);
    }

    [Fact]
    public void Should_PutProbabilityOneInLastBin_When_ComputingCalibrationBins()
    {
        var bins = Calibration.Bins([0.0, 0.05, 1.0, 0.95], [false, false, true, false], 10);
        bins[0].Count.Should().Be(2);
        bins[9].Count.Should().Be(2);
        bins[9].FractionPositive.Should().Be(0.5);
        bins[9].MeanPredicted.Should().BeApproximately(0.975, 1e-12);
    }
}
