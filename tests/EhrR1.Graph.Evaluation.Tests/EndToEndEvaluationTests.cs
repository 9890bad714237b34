using System.Text.Json;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Evaluation.Bench;
using EhrR1.Graph.Evaluation.Metrics;
using EhrR1.Graph.Evaluation.Predictions;
using EhrR1.Graph.Evaluation.Running;
using EhrR1.Graph.Evaluation.Scoring;
using EhrR1.Graph.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Evaluation.Tests;

public sealed class EndToEndEvaluationTests
{
    private static readonly IProgress<StageProgress> NoProgress = new Progress<StageProgress>();

    [Fact]
    public async Task Should_ScoreEveryTaskWithIndependentlyCheckedMetrics_When_RunningAFakeModel()
    {
        using var dir = new TempDirectory();
        var bench = dir.Combine("bench.jsonl");
        SyntheticBench.Write(bench, risk: 120, decision: 40);
        var settings = Settings(bench, dir.Combine("eval"));
        var gold = await Gold(bench);

        await using var predictor = new FakePredictor(gold, batchSize: 8, concurrentBatches: 2);
        var summary = await new EvaluationRunner(NullLogger<EvaluationRunner>.Instance).PredictAsync(settings, predictor, NoProgress, CancellationToken.None);
        summary.Should().Match<PredictionRunSummary>(s => s.Selected == 160 && s.Predicted == 160 && s.Failed == 0 && s.AlreadyDone == 0);

        var (result, outputs, unmatched) = await EvaluationScoring.ScoreAsync(settings, "fake", null, CancellationToken.None);
        unmatched.Should().Be(0);
        result.Tasks.Select(t => t.Task).Should().Equal(SyntheticBench.SetTask, SyntheticBench.RiskTask);

        // risk: AUROC equals the AUROC of the scores written into the prompts (P(yes) = score exactly)
        var samples = await Samples(bench);
        var risk = samples.Where(s => s.Family == TaskFamily.RiskPrediction).ToList();
        var scores = await File.ReadAllLinesAsync(bench);
        var pYes = scores.Where(l => l.Contains("score=", StringComparison.Ordinal)).Select(SyntheticBench.ScoreIn).ToList();
        var expectedAuroc = RocAnalysis.Auroc(pYes, risk.Select(s => s.RiskPositive).ToList())!.Value;
        var riskResult = result.Tasks.Single(t => t.Task == SyntheticBench.RiskTask);
        riskResult.Primary.Value.Should().BeApproximately(expectedAuroc, 1e-9);
        riskResult.Primary.CiLow.Should().BeLessThan(riskResult.Primary.Value!.Value);
        riskResult.Primary.CiHigh.Should().BeGreaterThan(riskResult.Primary.Value!.Value);
        riskResult.Metrics[EvaluationScorer.Brier].Should().BeApproximately(Calibration.Brier(pYes, risk.Select(s => s.RiskPositive).ToList()), 1e-9);
        riskResult.ProbabilityFromText.Should().Be(0);
        riskResult.Roc.Should().NotBeNull();

        // label sets: the fake answers the first gold line plus one wrong line → precision 1/2, recall 1/|gold|
        var set = samples.Where(s => s.Scoring == TaskScoring.LabelSet).ToList();
        var expectedF1 = set.Average(s => 2 * 0.5 * (1.0 / s.Gold.Count) / (0.5 + (1.0 / s.Gold.Count)));
        var setResult = result.Tasks.Single(t => t.Task == SyntheticBench.SetTask);
        setResult.Primary.Value.Should().BeApproximately(expectedF1, 1e-12);
        setResult.Metrics[EvaluationScorer.Precision].Should().Be(0.5);
        setResult.Metrics[EvaluationScorer.ExactMatch].Should().Be(0);

        result.Macro.Select(m => m.Group).Should().Equal("decision_making", "risk_prediction", "all");
        result.Macro[2].MacroPrimary.Value.Should().BeApproximately((expectedF1 + expectedAuroc) / 2, 1e-9);
        File.ReadAllText(outputs.ResultMarkdown).Should().Contain("| ICU_Mortality_1day | 120 | 0 |");
        File.ReadAllLines(outputs.ScoresJsonl).Should().HaveCount(160);
    }

    [Fact]
    public async Task Should_PredictEachSampleOnceAndMatchAnUninterruptedRun_When_ResumedAfterInterruptionAndTornWrite()
    {
        using var dir = new TempDirectory();
        var bench = dir.Combine("bench.jsonl");
        SyntheticBench.Write(bench, risk: 60, decision: 30);
        var gold = await Gold(bench);
        var runner = new EvaluationRunner(NullLogger<EvaluationRunner>.Instance);

        // reference: one uninterrupted run
        var reference = Settings(bench, dir.Combine("reference"));
        await using (var p = new FakePredictor(gold, 4, 3))
        {
            await runner.PredictAsync(reference, p, NoProgress, CancellationToken.None);
        }

        // interrupted run: cancelled after 37 outcomes, then a torn line appended, then resumed
        var resumed = Settings(bench, dir.Combine("resumed"));
        using (var cts = new CancellationTokenSource())
        {
            await using var p = new FakePredictor(gold, 4, 3) { CancelAfter = cts, CancelAfterOutcomes = 37 };
            var act = () => runner.PredictAsync(resumed, p, NoProgress, cts.Token);
            await act.Should().ThrowAsync<OperationCanceledException>();
        }

        var afterInterrupt = await PredictionStore.LoadAsync(resumed.PredictionsFile, CancellationToken.None);
        afterInterrupt.Count.Should().BeInRange(1, 89);
        await File.AppendAllTextAsync(resumed.PredictionsFile, "{\"sample_id\":\"labevents:2");

        await using (var p = new FakePredictor(gold, 4, 3))
        {
            var summary = await runner.PredictAsync(resumed, p, NoProgress, CancellationToken.None);
            summary.AlreadyDone.Should().Be(afterInterrupt.Count);
            summary.TornBytesRemoved.Should().BeGreaterThan(0);
            p.Seen.Should().OnlyHaveUniqueItems();
            p.Seen.Should().NotIntersectWith(afterInterrupt.Keys);
        }

        var lines = await File.ReadAllLinesAsync(resumed.PredictionsFile);
        var ids = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("sample_id").GetString()).ToList();
        ids.Should().OnlyHaveUniqueItems().And.HaveCount(90);

        var (a, _, _) = await EvaluationScoring.ScoreAsync(reference, "fake", null, CancellationToken.None);
        var (b, _, _) = await EvaluationScoring.ScoreAsync(resumed, "fake", null, CancellationToken.None);
        JsonSerializer.Serialize(b).Should().Be(JsonSerializer.Serialize(a));
        MarkdownReport.Render(b).Should().Be(MarkdownReport.Render(a));
    }

    [Fact]
    public async Task Should_ScoreOnlySelectedTasksAndCountMissing_When_FilteringAndLimiting()
    {
        using var dir = new TempDirectory();
        var bench = dir.Combine("bench.jsonl");
        SyntheticBench.Write(bench, risk: 30, decision: 30);
        var settings = Settings(bench, dir.Combine("eval")) with { Tasks = new HashSet<string>([SyntheticBench.RiskTask]), MaxPerTask = 10 };
        await using (var p = new FakePredictor(await Gold(bench), 8, 1))
        {
            (await new EvaluationRunner(NullLogger<EvaluationRunner>.Instance).PredictAsync(settings, p, NoProgress, CancellationToken.None)).Predicted.Should().Be(10);
        }

        var (result, _, _) = await EvaluationScoring.ScoreAsync(settings with { MaxPerTask = 20 }, "fake", null, CancellationToken.None);
        result.Tasks.Should().ContainSingle().Which.Should().Match<TaskResult>(t => t.N == 10 && t.Missing == 10);
    }

    private static EvaluationRunSettings Settings(string bench, string output) => new()
    {
        BenchPath = bench,
        OutputDirectory = output,
        Scoring = new ScoringSettings { BootstrapResamples = 300, Seed = 7 },
    };

    private static async Task<List<BenchSample>> Samples(string bench)
    {
        var list = new List<BenchSample>();
        await foreach (var s in EhrBenchReader.ReadAsync(bench, includeText: false, CancellationToken.None))
        {
            list.Add(s);
        }

        return list;
    }

    private static async Task<Dictionary<string, string>> Gold(string bench) =>
        (await Samples(bench)).ToDictionary(s => s.SampleId, s => s.GoldText, StringComparer.Ordinal);
}
