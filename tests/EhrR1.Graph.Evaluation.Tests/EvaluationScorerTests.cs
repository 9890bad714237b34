using EhrR1.Graph.Evaluation.Bench;
using EhrR1.Graph.Evaluation.Predictions;
using EhrR1.Graph.Evaluation.Scoring;

namespace EhrR1.Graph.Evaluation.Tests;

public sealed class EvaluationScorerTests
{
    [Fact]
    public void Should_GiveIdenticalIntervals_When_ScoredTwiceWithTheSameSeed()
    {
        var (samples, predictions) = Build(200);
        var a = EvaluationScorer.Score(samples, predictions, "m", "b", new ScoringSettings { BootstrapResamples = 500, Seed = 1 }, CancellationToken.None).Result;
        var b = EvaluationScorer.Score(samples, predictions, "m", "b", new ScoringSettings { BootstrapResamples = 500, Seed = 1 }, CancellationToken.None).Result;
        var c = EvaluationScorer.Score(samples, predictions, "m", "b", new ScoringSettings { BootstrapResamples = 500, Seed = 2 }, CancellationToken.None).Result;
        System.Text.Json.JsonSerializer.Serialize(a).Should().Be(System.Text.Json.JsonSerializer.Serialize(b));
        a.Tasks[1].Primary.CiLow.Should().NotBe(c.Tasks[1].Primary.CiLow);
        foreach (var t in a.Tasks)
        {
            t.Primary.CiLow.Should().BeLessThanOrEqualTo(t.Primary.Value!.Value);
            t.Primary.CiHigh.Should().BeGreaterThanOrEqualTo(t.Primary.Value!.Value);
        }
    }

    [Fact]
    public void Should_ShrinkIntervals_When_TasksHaveMoreSamples()
    {
        var small = Build(100);
        var large = Build(2000);
        var s = EvaluationScorer.Score(small.Samples, small.Predictions, "m", "b", new ScoringSettings { BootstrapResamples = 400 }, CancellationToken.None).Result;
        var l = EvaluationScorer.Score(large.Samples, large.Predictions, "m", "b", new ScoringSettings { BootstrapResamples = 400 }, CancellationToken.None).Result;
        Width(l.Tasks[1].Primary).Should().BeLessThan(Width(s.Tasks[1].Primary) / 2);
        Width(l.Macro[^1].MacroPrimary).Should().BeLessThan(Width(s.Macro[^1].MacroPrimary));
    }

    [Fact]
    public void Should_ReportUndefinedAurocAndTextFallback_When_RiskTaskHasOneClassAndNoProbabilities()
    {
        var samples = Enumerable.Range(0, 4).Select(i => Risk("r:" + i, positive: true)).ToList();
        var predictions = samples.ToDictionary(s => s.SampleId, s => new PredictionRecord { SampleId = s.SampleId, Task = s.Task, Text = "Yes, high risk" }, StringComparer.Ordinal);
        var result = EvaluationScorer.Score(samples, predictions, "m", "b", new ScoringSettings(), CancellationToken.None).Result;
        var task = result.Tasks.Single();
        task.Primary.Value.Should().BeNull();
        task.ProbabilityFromText.Should().Be(4);
        task.Metrics[EvaluationScorer.Accuracy].Should().Be(1);
        result.Macro.Single(m => m.Group == "all").MacroPrimary.Value.Should().BeNull();
    }

    private static double Width(MetricValue v) => v.CiHigh!.Value - v.CiLow!.Value;

    private static (List<BenchSample> Samples, Dictionary<string, PredictionRecord> Predictions) Build(int perTask)
    {
        var rng = new Random(11);
        var samples = new List<BenchSample>();
        var predictions = new Dictionary<string, PredictionRecord>(StringComparer.Ordinal);
        for (var i = 0; i < perTask; i++)
        {
            var id = "set:" + i;
            samples.Add(new BenchSample { Line = i + 1, SampleId = id, Task = "set", Family = TaskFamily.DecisionMaking, Scoring = TaskScoring.LabelSet, DeclaredMetric = "em", Gold = ["a", "b"], GoldText = "a\nb" });
            predictions[id] = new PredictionRecord { SampleId = id, Task = "set", Text = rng.NextDouble() < 0.5 ? "a" : "c\nb" };
            var p = rng.NextDouble();
            var rid = "risk:" + i;
            samples.Add(Risk(rid, rng.NextDouble() < p));
            predictions[rid] = new PredictionRecord { SampleId = rid, Task = "risk", Text = "", PYes = p };
        }

        return (samples, predictions);
    }

    private static BenchSample Risk(string id, bool positive) => new()
    {
        Line = 1,
        SampleId = id,
        Task = "risk",
        Family = TaskFamily.RiskPrediction,
        Scoring = TaskScoring.Risk,
        DeclaredMetric = "aucroc",
        Gold = [positive ? "yes" : "no"],
        GoldText = positive ? "yes" : "no",
        RiskPositive = positive,
    };
}
