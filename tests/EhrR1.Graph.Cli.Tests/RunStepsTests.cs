using EhrR1.Graph.Cli.Commands;
using EhrR1.Graph.Cli.Run;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Cli.Tests;

/// <summary>The step list of <c>ehr-graph run</c>: the concept, graph and evidence steps, their folders, Neo4j, and the training curriculum.</summary>
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
            "concepts-samples", "evidence-search", "evidence-report", "graph-load", "evidence-neo4j", "reason", "reason-filter", "corpus-reasoning", "train-domain", "train-reasoning", "train-grpo", "eval", "report");

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
    public void Should_StartEachStageFromThePreviousCheckpoint_When_NoReasoningCorpusExists()
    {
        // Given: no LLM endpoint and no reasoning/reasoning.jsonl (the demo)
        using var dir = new TempDirectory();
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("EHRR1_LLM_ENDPOINT")))
        {
            return; // with an endpoint, reason writes chains and stage 2 is on (the next test)
        }

        var steps = RunModule.BuildSteps(dir.Path, dir.Combine("mimic"), null, 10, RunConfig.Empty);
        string R(params string[] parts) => Path.Combine([dir.Path, .. parts]);

        // Then: stage 1 from a random model, stage 2 off with its reason, GRPO from stage 1, eval on GRPO's model
        var domain = Step(steps, "train-domain");
        domain.Command.Should().Equal("train");
        Arg(domain, "--model-config").Should().EndWith("qwen3-tiny.json");
        Arg(domain, "--out").Should().Be(R("model"));
        Arg(domain, "--max-steps").Should().Be("10");
        domain.Arguments.Should().NotContain("--init-from");
        foreach (var name in new[] { "reason-filter", "corpus-reasoning", "train-reasoning" })
        {
            Step(steps, name).Enabled.Should().BeFalse();
            Step(steps, name).DisabledReason.Should().StartWith("no reasoning corpus");
        }

        var grpo = Step(steps, "train-grpo");
        grpo.Enabled.Should().BeTrue();
        grpo.Command.Should().Equal("train", "grpo");
        Arg(grpo, "--init-from").Should().Be(R("model", "model"));
        Arg(grpo, "--data").Should().Be(R("tasks", "ehr-bench-train.jsonl"));
        grpo.Inputs.Should().Contain(R("model"));
        var eval = Step(steps, "eval");
        Arg(eval, "--checkpoint").Should().Be(R("model-grpo", "model"));
        eval.Inputs.Should().Contain(R("model-grpo")).And.NotContain(R("model"));
        Arg(Step(steps, "eval-baseline"), "--train").Should().Be(R("tasks", "ehr-bench-train.jsonl"));
    }

    [Fact]
    public void Should_ChainDomainReasoningGrpoAndEval_When_ReasonHasWrittenChains()
    {
        // Given: chains already in the run folder (e.g. ingested Batch results)
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("reasoning"));
        File.WriteAllText(dir.Combine("reasoning", "reasoning.jsonl"), string.Empty);
        var steps = RunModule.BuildSteps(dir.Path, dir.Combine("mimic"), null, 10, RunConfig.Empty);
        string R(params string[] parts) => Path.Combine([dir.Path, .. parts]);

        // Then: filter → corpus → stage 2 from stage 1's model → GRPO from stage 2's → eval on GRPO's
        steps.Where(s => s.Name is "reason-filter" or "corpus-reasoning" or "train-reasoning").Should().OnlyContain(s => s.Enabled);
        Arg(Step(steps, "reason-filter"), "--input").Should().Be(R("reasoning", "reasoning.jsonl"));
        Arg(Step(steps, "corpus-reasoning"), "--reasoning").Should().Be(R("reasoning", "filtered.jsonl"));
        var reasoning = Step(steps, "train-reasoning");
        Arg(reasoning, "--data").Should().Be(Arg(Step(steps, "corpus-reasoning"), "--out"));
        Arg(reasoning, "--init-from").Should().Be(R("model", "model"));
        reasoning.Arguments.Should().NotContain("--model-config");
        reasoning.Inputs.Should().Contain(R("model")).And.NotContain(i => i.EndsWith("qwen3-tiny.json", StringComparison.Ordinal));
        Arg(Step(steps, "train-grpo"), "--init-from").Should().Be(R("model-reasoning", "model"));
        Arg(Step(steps, "eval"), "--checkpoint").Should().Be(R("model-grpo", "model"));
    }

    [Fact]
    public void Should_ReadTheOldTrainSectionAsStageOne_And_SkipStagesTurnedOff()
    {
        // Given: a run.json written for the single train step, and GRPO turned off
        using var dir = new TempDirectory();
        var path = dir.Combine("run.json");
        File.WriteAllText(path, """{"steps": {"train": {"max-steps": 3, "lr": 0.01}, "train-grpo": {"enabled": false}}}""");
        var steps = RunModule.BuildSteps(dir.Path, dir.Combine("mimic"), null, 10, RunConfig.Load(path));

        // Then: stage 1 takes the old section's options; eval scores stage 1's model
        var domain = Step(steps, "train-domain");
        Arg(domain, "--max-steps").Should().Be("3");
        Arg(domain, "--lr").Should().Be("0.01");
        Step(steps, "train-grpo").DisabledReason.Should().Be("turned off in run.json");
        Arg(Step(steps, "eval"), "--checkpoint").Should().Be(Path.Combine(dir.Path, "model", "model"));

        // and with every training stage off, GRPO and eval have nothing to start from
        File.WriteAllText(path, """{"steps": {"train": {"enabled": false}}}""");
        var none = RunModule.BuildSteps(dir.Path, dir.Combine("mimic"), null, 10, RunConfig.Load(path));
        Step(none, "train-grpo").DisabledReason.Should().Contain("GRPO needs a checkpoint");
        Step(none, "eval").DisabledReason.Should().Be("no training stage on");
        Step(none, "eval-compare").Arguments.Should().NotContain(Path.Combine(dir.Path, "eval", "result.json"), "with no model, the two baselines are compared");

        // a checkpoint or starting model named in run.json is kept
        File.WriteAllText(path, """{"steps": {"train-grpo": {"init-from": "/elsewhere/sft"}, "eval": {"checkpoint": "/elsewhere/model"}}}""");
        var given = RunModule.BuildSteps(dir.Path, dir.Combine("mimic"), null, 10, RunConfig.Load(path));
        Arg(Step(given, "train-grpo"), "--init-from").Should().Be("/elsewhere/sft");
        Arg(Step(given, "eval"), "--checkpoint").Should().Be("/elsewhere/model");
    }

    private static PipelineStep Step(IReadOnlyList<PipelineStep> steps, string name) => steps.Single(s => s.Name == name);

    private static string Arg(PipelineStep step, string option)
    {
        var args = step.Arguments.ToList();
        args.Should().Contain(option, $"{step.Name} should pass {option}");
        return args[args.IndexOf(option) + 1];
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
