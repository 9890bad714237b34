using System.Diagnostics;
using EhrR1.Graph.Cli.Commands;
using EhrR1.Graph.Cli.Hosting;
using EhrR1.Graph.Cli.Run;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Cli.Tests;

/// <summary><c>run.json</c> is checked against every step's real command before the first step starts.</summary>
public sealed class RunConfigValidationTests
{
    [Fact]
    public void Should_AcceptTheExampleOfTheDocComment_When_ValidatingRunJson()
    {
        using var dir = new TempDirectory();
        var config = Write(dir, """{ "steps": { "tasks-sample-train": { "seed": 7, "force-task-num": 50 }, "train-domain": { "enabled": false } } }""");

        var steps = RunModule.BuildSteps(dir.Combine("run"), dir.Combine("mimic"), null, 10, config);

        Validate(config, steps).Should().BeEmpty();
        var sample = steps.Single(s => s.Name == "tasks-sample-train").Arguments.ToList();
        sample.Should().ContainInOrder("--seed", "7").And.ContainInOrder("--force-task-num", "50");
        steps.Single(s => s.Name == "train-domain").Enabled.Should().BeFalse("the old train section configures stage 1");
    }

    [Fact]
    public void Should_AcceptTheReadmeExamples_When_ValidatingRunJson()
    {
        using var dir = new TempDirectory();
        var config = Write(dir, """{"steps": {"evidence-search": {"search": "upstream", "graph-kind": "both"}, "train": {"max-steps": 200}, "eval": {"enabled": false}}}""");

        Validate(config, RunModule.BuildSteps(dir.Combine("run"), dir.Combine("mimic"), null, 10, config)).Should().BeEmpty();
    }

    [Fact]
    public void Should_ReportEveryProblemAtOnce_When_OptionsAreUnknownOrMistyped()
    {
        using var dir = new TempDirectory();
        var config = Write(dir, """{"steps": {"tasks-sample-train": {"cap": 50, "seed": "seven"}, "train": {"max-steps": [1, 2], "no-resume": "yes"}}}""");

        var problems = Validate(config, RunModule.BuildSteps(dir.Combine("run"), dir.Combine("mimic"), null, 10, config));

        problems.Should().HaveCount(4);
        problems.Should().Contain(p => p.StartsWith("run.json: steps.tasks-sample-train.cap: 'ehr-graph tasks sample' has no option --cap", StringComparison.Ordinal) && p.Contains("force-task-num", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("run.json: steps.tasks-sample-train.seed: expected a number", StringComparison.Ordinal) && p.Contains("\"seven\"", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("run.json: steps.train.max-steps: expected a single value", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("run.json: steps.train.no-resume: expected true or false", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_ExitOneBeforeAnyStepWithoutAReportPath_When_RunJsonHasAnUnknownOption()
    {
        using var dir = new TempDirectory();

        var (code, stdout, stderr) = await CliRunner.Run(await RunWithCap(dir));

        code.Should().Be(1);
        stderr.Should().Contain("run.json: steps.tasks-sample-train.cap").And.Contain("no option --cap").And.Contain("force-task-num");
        stderr.Should().NotContain("Report:").And.NotContain("running...");
        stdout.Should().BeEmpty();
        Directory.Exists(dir.Combine("run")).Should().BeFalse("no step may start, so the run folder is never made");
    }

    [Fact]
    [Trait("Category", "Timing")]
    public async Task Should_RejectABadOptionInUnderASecond_When_RunJsonHasAnUnknownOption()
    {
        using var dir = new TempDirectory();
        var args = await RunWithCap(dir);
        await CliRunner.Run(args); // warm-up: the first call pays for JIT and the command tree's reflection

        var clock = Stopwatch.StartNew();
        var (code, _, _) = await CliRunner.Run(args);
        clock.Stop();

        code.Should().Be(1);
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1));
    }

    /// <summary>The arguments of issue 19's failing run: <c>run</c> with a run.json that caps samples with "cap".</summary>
    private static async Task<string[]> RunWithCap(TempDirectory dir)
    {
        var path = dir.Combine("run.json");
        await File.WriteAllTextAsync(path, """{"steps": {"tasks-sample-train": {"cap": 50}}}""");
        return ["run", "--out", dir.Combine("run"), "--mimic", dir.Combine("mimic"), "--config", path];
    }

    private static RunConfig Write(TempDirectory dir, string json)
    {
        var path = dir.Combine("run.json");
        File.WriteAllText(path, json);
        return RunConfig.Load(path);
    }

    private static IReadOnlyList<string> Validate(RunConfig config, IReadOnlyList<PipelineStep> steps) =>
        RunConfigValidator.Validate(config, steps, CliApp.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, false)));
}
