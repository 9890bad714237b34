using System.Text.Json;
using EhrR1.Graph.Cli.Commands;
using EhrR1.Graph.Cli.Hosting;
using EhrR1.Graph.Cli.Run;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Cli.Tests;

/// <summary>
/// The training curriculum of <c>ehr-graph run</c> end to end on the mini EHR-Bench file: stage 1 → stage 2 (curriculum
/// mixing) → GRPO → eval through the pipeline runner, each stage starting from the checkpoint the one before wrote.
/// </summary>
[Trait("Category", "Slow")]
public sealed class CurriculumRunTests
{
    [RequiresTokenizerFact]
    public async Task Should_RunEachStageFromThePreviousCheckpoint_And_SkipThemAllWhenUnchanged()
    {
        // Given: a run folder holding what the earlier steps would have written (EHR-Ins records, the EHR-Bench splits,
        // reason's chains), and a run.json with a tinier model and a few steps per stage
        using var dir = new TempDirectory();
        var bench = TestPaths.TestData("evaluation", "mini-bench.jsonl");
        Directory.CreateDirectory(dir.Combine("tasks"));
        File.Copy(bench, dir.Combine("tasks", "ehr-bench-train.jsonl"));
        File.Copy(bench, dir.Combine("tasks", "ehr-bench-test.jsonl"));
        WriteCorpus(bench, dir.Combine("corpus", "ehr-ins-no-think.jsonl"), think: false);
        WriteChains(bench, dir.Combine("reasoning", "reasoning.jsonl"));
        var config = TinyModel.WriteConfig(dir.Combine("tiny.json"));
        var runJson = dir.Combine("run.json");
        File.WriteAllText(runJson, JsonSerializer.Serialize(new
        {
            steps = new Dictionary<string, object>
            {
                ["train-domain"] = new Dictionary<string, object> { ["model-config"] = config, ["max-steps"] = 2, ["max-length"] = 256, ["threads"] = 2 },
                ["train-reasoning"] = new Dictionary<string, object> { ["max-steps"] = 2, ["max-length"] = 256, ["mix-data"] = dir.Combine("corpus", "ehr-ins-no-think.jsonl"), ["mixing"] = "Curriculum", ["threads"] = 2 },
                ["train-grpo"] = new Dictionary<string, object> { ["max-steps"] = 2, ["max-completion-length"] = 4, ["threads"] = 2 },
                ["eval"] = new Dictionary<string, object> { ["max-per-task"] = 1, ["max-new-tokens"] = 4, ["bootstrap"] = 10 },
            },
        }));
        var steps = RunModule.BuildSteps(dir.Path, dir.Combine("mimic"), null, 2, RunConfig.Load(runJson))
            .Where(s => s.Name is "reason-filter" or "corpus-reasoning" or "train-domain" or "train-reasoning" or "train-grpo" or "eval")
            .ToList();

        // When
        var first = await Run(dir.Path, steps);
        var second = await Run(dir.Path, steps);

        // Then: the reasoning corpus was built from the chains, and every stage ran in curriculum order, each from the
        // model the previous stage wrote
        first.Select(o => (o.Step, o.Status)).Should().Equal(
            ("reason-filter", "ran"), ("corpus-reasoning", "ran"), ("train-domain", "ran"), ("train-reasoning", "ran"), ("train-grpo", "ran"), ("eval", "ran"));
        File.ReadAllText(dir.Combine("corpus", "ehr-ins-reasoning.jsonl")).Should().Contain("/think").And.Contain("## Final Results");
        InitFrom("model").Should().BeNull("stage 1 starts from a random model");
        InitFrom("model-reasoning").Should().Be(dir.Combine("model", "model"));
        InitFrom("model-grpo").Should().Be(dir.Combine("model-reasoning", "model"));
        RunManifest.TryLoad(dir.Combine("model-reasoning", "manifest.json"))!.Settings["mixing"].Should().Be("Curriculum");
        File.ReadAllLines(dir.Combine("model-grpo", "metrics.jsonl")).Should().HaveCount(2);
        RunManifest.TryLoad(dir.Combine("eval", "manifest.json"))!.Settings["checkpoint"].Should().Be(dir.Combine("model-grpo", "model"));

        // and a second run with nothing changed skips every stage
        second.Should().OnlyContain(o => o.Status == "up to date");

        string? InitFrom(string folder) => RunManifest.TryLoad(dir.Combine(folder, "manifest.json"))!.Settings["init_from"];
    }

    private static async Task<IReadOnlyList<StepOutcome>> Run(string runDirectory, IReadOnlyList<PipelineStep> steps)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        try
        {
            return await new PipelineRunner(new CliContext(output, error, false), runDirectory, force: false, verbose: false).RunAsync(steps, CancellationToken.None);
        }
        catch (StepFailedException ex)
        {
            throw new InvalidOperationException($"step {ex.Step} failed: {error}", ex);
        }
    }

    /// <summary>What <c>reason</c> writes for the bench samples: one chain each, in the three sections, ending with the labels.</summary>
    private static void WriteChains(string bench, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, File.ReadLines(bench).Where(l => l.Length > 0).Select(l =>
        {
            using var doc = JsonDocument.Parse(l);
            var r = doc.RootElement;
            var labels = r.GetProperty("output").GetString()!.Split('\n');
            return JsonSerializer.Serialize(new
            {
                sample_id = r.GetProperty("sample_id").GetString(),
                task = r.GetProperty("task_info").GetProperty("task").GetString(),
                prompt_id = "reasoning-with-graph@v1",
                model = "gpt-4o",
                labels,
                chains = new[] { "## Extraction\n**Lab [t]**: x\n## Reasoning\ny\n## Final Results\n" + string.Join("\n", labels) },
                finish_reasons = new[] { "stop" },
            });
        }));
    }

    /// <summary>EHR-Ins chat records of the bench samples: /no_think with an empty think block, or /think with a short chain.</summary>
    private static void WriteCorpus(string bench, string path, bool think)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var lines = File.ReadLines(bench).Where(l => l.Length > 0).Select(l =>
        {
            using var doc = JsonDocument.Parse(l);
            var r = doc.RootElement;
            var user = r.GetProperty("input").GetString() + "\n" + r.GetProperty("instruction").GetString() + (think ? "\n/think" : "\n/no_think");
            var answer = (think ? "<think>\n## Extraction\nx\n## Reasoning\ny\n## Final Results\nz\n</think>\n\n" : "<think>\n\n</think>\n\n") + r.GetProperty("output").GetString();
            return JsonSerializer.Serialize(new
            {
                sample_id = r.GetProperty("sample_id").GetString(),
                messages = new[] { new { role = "system", content = "You are a helpful assistant." }, new { role = "user", content = user }, new { role = "assistant", content = answer } },
            });
        });
        File.WriteAllLines(path, lines);
    }
}
