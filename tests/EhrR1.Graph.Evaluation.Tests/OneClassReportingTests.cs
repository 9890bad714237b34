using EhrR1.Graph.Evaluation.Scoring;

namespace EhrR1.Graph.Evaluation.Tests;

/// <summary>A risk task whose test split holds one class has no AUROC; the tables say so, with n.</summary>
public sealed class OneClassReportingTests
{
    private static TaskResult Risk(string task, int yes, int no, double? auroc) => new()
    {
        Task = task,
        Family = "risk_prediction",
        Scoring = "risk",
        DeclaredMetric = "aucroc",
        PrimaryMetric = "auroc",
        N = yes + no,
        Primary = new MetricValue(auroc, auroc is null ? null : auroc - 0.1, auroc is null ? null : auroc + 0.1),
        Metrics = new Dictionary<string, double?> { ["auroc"] = auroc, ["accuracy"] = 1.0 },
        Positives = yes,
        Negatives = no,
    };

    private static EvaluationResult Result(string model) => new()
    {
        Model = model,
        Bench = "bench.jsonl",
        Samples = 7,
        Scored = 7,
        Bootstrap = new BootstrapInfo(200, 42, 0.95, "percentile"),
        CalibrationBins = 10,
        Tasks = [Risk("ICU_Mortality_1day", 0, 2, null), Risk("LengthOfStay_3day", 2, 3, 0.75)],
        Macro = [new MacroResult { Group = "risk_prediction", Tasks = 2, N = 7, MacroPrimary = new MetricValue(0.75, 0.6, 0.9), MacroMetrics = new Dictionary<string, double?>() }],
    };

    [Fact]
    public void Should_SayOneClassWithN_When_ARiskTaskHasNoAuroc()
    {
        var md = MarkdownReport.Render(Result("m"));

        md.Should().Contain("| ICU_Mortality_1day | 2 | 0 | 0 / 2 | one class in test split (n=2) |");
        md.Should().Contain("| LengthOfStay_3day | 5 | 0 | 2 / 3 | 0.750 [0.650, 0.850] |");
        md.Should().Contain("1 of 2 risk tasks hold one class in the test split");
    }

    [Fact]
    public void Should_SayOneClassAndGiveN_When_ComparingResults()
    {
        var md = ResultComparison.ToMarkdown([("a/result.json", Result("a")), ("b/result.json", Result("b"))]);

        md.Should().Contain("| ICU_Mortality_1day | risk_prediction | auroc | one class in test split (n=2) | one class in test split (n=2) |");
        md.Should().Contain("| LengthOfStay_3day | risk_prediction | auroc | 0.750 [0.650, 0.850] (n=5) | 0.750 [0.650, 0.850] (n=5) |");
        md.Should().Contain("(2 tasks, n=7)");
    }
}
