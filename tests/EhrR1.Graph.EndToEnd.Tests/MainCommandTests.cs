using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.EndToEnd.Tests;

/// <summary>The README's main command (<c>bash scripts/demo.sh</c>) on a clean copy of the repository.</summary>
[Collection(DemoRunGroup.Name)]
public sealed class MainCommandTests(DemoRunFixture demo)
{
    /// <summary>The artefacts a user finds in the run folder after the main command (see README, "The run").</summary>
    public static readonly string[] ExpectedArtefacts =
    [
        "run-summary.json",
        "store/manifest.json",
        "tasks/index",
        "tasks/train.jsonl",
        "tasks/test.jsonl",
        "tasks/ehr-bench-test.jsonl",
        "tasks/ehr-bench-train.jsonl",
        "corpus/ehr-ins-no-think.jsonl",
        "vocab/rrf/MRCONSO.RRF",
        "vocab/index",
        "concepts/events.jsonl",
        "graph/graph.bin",
        "evidence/evidence.jsonl",
        "evidence/attrition.csv",
        "evidence/attrition.png",
        "reasoning/manifest.prepare.json",
        "reasoning/estimate.json",
        "model/metrics.jsonl",
        "model/training-curve.png",
        "model/model/model.safetensors",
        "model-grpo/metrics.jsonl",
        "model-grpo/model/model.safetensors",
        "report/reward-curve.svg",
        "eval/result.json",
        "eval/plots/roc-all.png",
        "report/index.html",
    ];

    /// <summary>Steps that run only with <c>--neo4j URL</c> (the README's main command has none).</summary>
    private static readonly HashSet<string> NeedsNeo4j = new(StringComparer.Ordinal) { "graph-load", "evidence-neo4j" };

    /// <summary>Steps that run only when <c>reason</c> writes chains (an LLM endpoint; the main command has none).</summary>
    private static readonly HashSet<string> NeedsChains = new(StringComparer.Ordinal) { "reason-filter", "corpus-reasoning", "train-reasoning" };

    [RequiresDataFact]
    public void MainCommand_FromACleanCopy_RunsEveryStepAndEndsWithTheSummary()
    {
        var run = demo.First;
        run.ExitCode.Should().Be(0, "the main command must succeed on a fresh copy; its log ends with:\n" + run.Tail());

        var steps = run.StepStatuses();
        steps.Keys.Should().Contain(["ingest", "tasks-index", "train-domain", "train-grpo", "eval", "report"]);
        steps.Where(s => !NeedsNeo4j.Contains(s.Key) && !NeedsChains.Contains(s.Key) && s.Value != "ran").Should().BeEmpty("on a fresh copy every step runs (none failed, none off)");
        steps.Where(s => NeedsChains.Contains(s.Key)).Should().OnlyContain(s => s.Value == "disabled", "without an LLM endpoint there is no reasoning corpus");
        steps.Where(s => NeedsNeo4j.Contains(s.Key)).Should().OnlyContain(s => s.Value == "disabled", "without --neo4j the Neo4j steps are off");
        run.Stderr.Should().Contain("run finished");

        foreach (var artefact in ExpectedArtefacts)
        {
            var path = Path.Combine(demo.RunDir, artefact);
            (File.Exists(path) || Directory.Exists(path)).Should().BeTrue($"the run folder should hold {artefact}");
        }

        File.ReadAllText(Path.Combine(demo.RunDir, "report", "index.html")).Should().Contain("<html");

        // every stage folder of the report has its step's counts (reason without an endpoint writes manifest.prepare.json)
        var summary = File.ReadAllLines(Path.Combine(demo.RunDir, "report", "summary.md"));
        summary.Should().NotContain(l => l.Contains("| – |", StringComparison.Ordinal), "every run folder holds a manifest the report shows");
        summary.Should().Contain(l => l.StartsWith("| reasoning | reason batch prepare", StringComparison.Ordinal));
    }

    [RequiresDataFact]
    public void MainCommand_RunAgain_SkipsEveryUnchangedStep()
    {
        _ = demo.First;
        var again = demo.Second;
        again.ExitCode.Should().Be(0, again.Tail());
        var steps = again.StepStatuses();
        steps.Where(s => s.Key != "report" && !NeedsNeo4j.Contains(s.Key) && !NeedsChains.Contains(s.Key) && s.Value != "up to date").Should().BeEmpty("nothing changed since the first run");
        var neo4jSeconds = again.Summary().GetProperty("steps").EnumerateArray()
            .Where(s => NeedsNeo4j.Contains(s.GetProperty("step").GetString()!))
            .Sum(s => s.GetProperty("elapsedSeconds").GetDouble());
        (again.Elapsed - TimeSpan.FromSeconds(neo4jSeconds)).Should().BeLessThan(demo.First.Elapsed, "skipped steps cost nothing (the Neo4j steps run when the test server is given)");
    }
}
