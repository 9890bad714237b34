using EhrR1.Graph.Cli.Commands;
using EhrR1.Graph.Cli.Run;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Cli.Tests;

/// <summary>The step list of <c>ehr-graph run</c>: the concept, graph and evidence steps, their folders, and Neo4j.</summary>
public sealed class RunStepsTests
{
    [Fact]
    public void Should_ChainConceptsGraphAndEvidenceBeforeReasoning_When_BuildingTheRunSteps()
    {
        using var dir = new TempDirectory();
        var steps = RunModule.BuildSteps(dir.Path, dir.Combine("mimic"), null, 10, RunConfig.Empty);
        var names = steps.Select(s => s.Name).ToList();
        names.Should().ContainInOrder(
            "ingest", "tasks-index", "tasks-sample-train", "vocab-sample", "vocab-index", "concepts-extract", "graph-cooccur", "graph-build",
            "concepts-samples", "evidence-search", "evidence-report", "graph-load", "evidence-neo4j", "reason", "train", "eval", "report");

        string Arg(string step, string option)
        {
            var args = steps.Single(s => s.Name == step).Arguments;
            return args[args.ToList().IndexOf(option) + 1];
        }

        string R(params string[] parts) => Path.Combine([dir.Path, .. parts]);
        Arg("tasks-sample-train", "--subjects-out").Should().Be(R("tasks", "train-subjects.txt"));
        Arg("concepts-extract", "--out").Should().Be(R("concepts"));
        Arg("graph-cooccur", "--train-subjects").Should().Be(R("tasks", "train-subjects.txt"));
        Arg("graph-cooccur", "--out").Should().Be(R("graph", "cooccur"));
        Arg("graph-build", "--out").Should().Be(R("graph"));
        Arg("concepts-samples", "--samples").Should().Be(R("tasks", "train.jsonl"));
        Arg("concepts-samples", "--out").Should().Be(R("evidence", "samples.jsonl"));
        Arg("evidence-search", "--out").Should().Be(R("evidence", "evidence.jsonl"));
        Arg("evidence-report", "--out").Should().Be(R("evidence"));
        Arg("reason", "--evidence").Should().Be(R("evidence", "evidence.jsonl"));
        steps.Single(s => s.Name == "graph-build").Outputs.Should().Equal(R("graph", "graph.bin"));
        steps.Where(s => s.Name is "graph-load" or "evidence-neo4j").Should().OnlyContain(s => !s.Enabled && s.DisabledReason == "no --neo4j URL");
    }

    [Fact]
    public void Should_LoadGraphAndThinkingGraphs_When_ANeo4jUrlIsGiven()
    {
        using var dir = new TempDirectory();
        var steps = RunModule.BuildSteps(dir.Path, dir.Combine("mimic"), null, 10, RunConfig.Empty, "http://127.0.0.1:7474");
        var load = steps.Single(s => s.Name == "graph-load");
        load.Enabled.Should().BeTrue();
        load.Command.Should().Equal("graph", "load");
        load.Arguments.Should().ContainInOrder("--graph", Path.Combine(dir.Path, "graph"), "--neo4j", "http://127.0.0.1:7474");
        var write = steps.Single(s => s.Name == "evidence-neo4j");
        write.Enabled.Should().BeTrue();
        write.Arguments.Should().ContainInOrder("--evidence", Path.Combine(dir.Path, "evidence", "evidence.jsonl"), "--neo4j", "http://127.0.0.1:7474");

        var act = () => RunModule.BuildSteps(dir.Path, dir.Combine("mimic"), null, 10, RunConfig.Empty, "not a url");
        act.Should().Throw<EhrR1.Graph.Core.Errors.StageConfigurationException>().WithMessage("*--neo4j*");
    }

    [Fact]
    public void Should_ScoreTheGraphBaselineBesideTheOthers_When_BuildingTheEvalSteps()
    {
        using var dir = new TempDirectory();
        string R(params string[] parts) => Path.Combine([dir.Path, .. parts]);
        var steps = RunModule.BuildSteps(dir.Path, dir.Combine("mimic"), null, 10, RunConfig.Empty);
        steps.Select(s => s.Name).Should().ContainInOrder("graph-build", "eval", "eval-baseline", "concepts-samples-bench", "concepts-samples-bench-test", "eval-graph-baseline", "eval-compare", "report");

        var graph = steps.Single(s => s.Name == "eval-graph-baseline");
        graph.Arguments.Should().ContainInOrder("--kind", "graph", "--bench", R("tasks", "ehr-bench-test.jsonl"));
        graph.Arguments.Should().ContainInOrder("--cooccurrence", R("graph", "cooccur"), "--graph", R("graph"));
        steps.Single(s => s.Name == "concepts-samples-bench-test").Arguments.Should().ContainInOrder("--all-tasks", "--samples", R("tasks", "test.jsonl"));

        // the model and both baselines on the same test samples per task
        foreach (var name in new[] { "eval", "eval-baseline", "eval-graph-baseline" })
        {
            steps.Single(s => s.Name == name).Arguments.Should().ContainInOrder("--max-per-task", RunModule.EvalSamplesPerTask.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        steps.Single(s => s.Name == "eval-compare").Arguments.Should().ContainInOrder(R("eval", "result.json"), R("eval-baseline", "result.json"), R("eval-graph-baseline", "result.json"));
    }

    [Fact]
    public void Should_CompareTheTwoBaselines_When_TheModelEvaluationIsOff()
    {
        using var dir = new TempDirectory();
        var config = dir.Combine("run.json");
        File.WriteAllText(config, "{\"steps\": {\"eval\": {\"enabled\": false}}}");
        var steps = RunModule.BuildSteps(dir.Path, dir.Combine("mimic"), null, 10, RunConfig.Load(config));

        var compare = steps.Single(s => s.Name == "eval-compare");
        compare.Enabled.Should().BeTrue();
        compare.Arguments.Should().NotContain(Path.Combine(dir.Path, "eval", "result.json"));
        compare.Arguments.Should().ContainInOrder(Path.Combine(dir.Path, "eval-baseline", "result.json"), Path.Combine(dir.Path, "eval-graph-baseline", "result.json"));
        compare.Inputs.Should().NotContain(Path.Combine(dir.Path, "eval", "result.json"));

        File.WriteAllText(config, "{\"steps\": {\"eval\": {\"enabled\": false}, \"eval-graph-baseline\": {\"enabled\": false}}}");
        var off = RunModule.BuildSteps(dir.Path, dir.Combine("mimic"), null, 10, RunConfig.Load(config)).Single(s => s.Name == "eval-compare");
        off.Enabled.Should().BeFalse();
        off.DisabledReason.Should().Be("eval and eval-graph-baseline off");
    }
}
