using System.Text.Json;
using EhrR1.Graph.Evaluation.Scoring;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Cli.Tests;

/// <summary><c>eval baseline --kind graph</c> on the MIMIC-IV demo chain, beside the frequency baseline.</summary>
[Collection(DemoChainGroup.Name)]
public sealed class GraphBaselineDemoTests(DemoChainFixture chain)
{
    [RequiresDataFact]
    public async Task Should_ScoreTheGraphBaselineOnTheSameSamplesAsTheFrequencyBaseline_When_RunOnTheDemo()
    {
        await chain.EnsureBuiltAsync();
        var caps = Path.Combine(AppContext.BaseDirectory, "demo.json");
        string D(params string[] parts) => chain.Combine(["graph-baseline-test", .. parts]);
        Directory.CreateDirectory(D());
        await CliRunner.RunOk("tasks", "sample", "--index", chain.TaskIndex, "--config", caps, "--test-ratio", "0.2", "--split", "test", "--out", D("test.jsonl"), "--quiet");
        await CliRunner.RunOk("tasks", "export", "--samples", chain.TrainSamples, "--store", chain.Store, "--format", "ehr-bench", "--out", D("bench-train.jsonl"), "--quiet");
        await CliRunner.RunOk("tasks", "export", "--samples", D("test.jsonl"), "--store", chain.Store, "--format", "ehr-bench", "--out", D("bench-test.jsonl"), "--quiet");
        await CliRunner.RunOk("concepts", "samples", "--all-tasks", "--samples", chain.TrainSamples, "--concepts", chain.Concepts, "--out", D("train-concepts.jsonl"), "--quiet");
        await CliRunner.RunOk("concepts", "samples", "--all-tasks", "--samples", D("test.jsonl"), "--concepts", chain.Concepts, "--out", D("test-concepts.jsonl"), "--quiet");

        string[] common = ["--bench", D("bench-test.jsonl"), "--train", D("bench-train.jsonl"), "--max-per-task", "20", "--bootstrap", "50", "--no-plots", "--quiet"];
        await CliRunner.RunOk(["eval", "baseline", .. common, "--out", D("frequency")]);
        var stdout = await CliRunner.RunOk(["eval", "baseline", .. common, "--kind", "graph", "--sample-concepts", D("train-concepts.jsonl") + "," + D("test-concepts.jsonl"),
            "--cooccurrence", chain.Cooccur, "--graph", chain.Graph, "--out", D("graph")]);

        var frequency = ResultComparison.Load(D("frequency", "result.json"));
        var graph = ResultComparison.Load(D("graph", "result.json"));
        graph.Model.Should().Be("graph baseline");
        graph.Tasks.Select(t => (t.Task, t.N)).Should().Equal(frequency.Tasks.Select(t => (t.Task, t.N)), "both baselines score the same samples");
        graph.Tasks.Should().Contain(t => t.Family == "risk_prediction").And.Contain(t => t.PrimaryMetric == "f1");
        graph.Macro.Single(m => m.Group == "decision_making").MacroPrimary.Value.Should().BeInRange(0.0, 1.0);

        // risk tasks with both classes in training get a fitted P(yes); the history of the test samples was found
        var sources = File.ReadLines(D("graph", "predictions.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("probability_source").GetString()).ToList();
        sources.Should().Contain("graph_lift_logistic");
        File.ReadAllText(D("graph", "results.md")).Should().Contain("# EHR-Bench evaluation: graph baseline").And.Contain("| task | metric | n |");
        stdout.Should().Contain("eval baseline");
    }
}
