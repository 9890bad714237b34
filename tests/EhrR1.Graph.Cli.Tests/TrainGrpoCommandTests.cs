using System.Text.Json;
using EhrR1.Graph.Cli.Commands;
using EhrR1.Graph.Evaluation.Bench;
using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Training.Grpo;
using EhrR1.Graph.Training.Tokenization;

namespace EhrR1.Graph.Cli.Tests;

/// <summary><c>ehr-graph train grpo</c> on the mini EHR-Bench file, from a random tiny checkpoint.</summary>
public sealed class TrainGrpoCommandTests
{
    [Fact]
    public async Task Should_MapBenchSamplesToVerifiablePrompts_When_ReadingTrainSplit()
    {
        var prompts = new List<GrpoPrompt>();
        await foreach (var sample in EhrBenchReader.ReadAsync(TestPaths.TestData("evaluation", "mini-bench.jsonl"), includeText: true, CancellationToken.None))
        {
            prompts.Add(TrainModule.ToPrompt(sample)!);
        }

        prompts.Should().HaveCount(6);
        prompts.Where(p => p.Target.Kind == AnswerKind.LabelSet).Should().OnlyContain(p => p.Think);
        var risk = prompts.Where(p => p.Task.Contains("Mortality", StringComparison.Ordinal)).ToList();
        risk.Should().NotBeEmpty().And.OnlyContain(p => !p.Think && p.Target.Kind == AnswerKind.StartsWith && (p.Target.Gold[0] == "yes" || p.Target.Gold[0] == "no"));
        GrpoTrainer.UserMessage(risk[0]).Should().EndWith("\n/no_think");
        var lab = prompts.First(p => p.Task == "labevents");
        lab.Target.Gold.Should().Contain("glucose");
    }

    [RequiresTokenizerFact]
    public async Task Should_TrainAndWriteMetricsAndRewardCurve_When_RunFromTinyCheckpoint()
    {
        using var dir = new TempDirectory();
        var config = TinyModel.WriteConfig(dir.Combine("tiny.json"));
        await CliRunner.RunOk("model", "init", "--model-config", config, "--out", dir.Combine("init"));

        var (code, stdout, stderr) = await CliRunner.Run("train", "grpo", "--data", TestPaths.TestData("evaluation", "mini-bench.jsonl"),
            "--init-from", dir.Combine("init"), "--out", dir.Combine("grpo"), "--num-generations", "2", "--prompts-per-step", "2",
            "--max-completion-length", "4", "--max-steps", "2", "--beta", "0.04", "--format-reward", "--threads", "2");

        code.Should().Be(0, stderr);
        using (var report = JsonDocument.Parse(stdout))
        {
            report.RootElement.GetProperty("Counts").GetProperty("prompts").GetInt64().Should().Be(6);
            report.RootElement.GetProperty("Counts").GetProperty("steps").GetInt64().Should().Be(2);
        }

        File.ReadAllLines(dir.Combine("grpo", "metrics.jsonl")).Should().HaveCount(2).And.OnlyContain(l => l.Contains("\"FormatMean\":-1", StringComparison.Ordinal));
        File.Exists(dir.Combine("grpo", "reward-curve.png")).Should().BeTrue();
        File.Exists(dir.Combine("grpo", "model", "model.safetensors")).Should().BeTrue();
    }
}

/// <summary>Skips when the shared Qwen3 tokenizer is absent on a dev box; fails in CI (EHRR1_REQUIRE_INTEGRATION=1).</summary>
public sealed class RequiresTokenizerFactAttribute : FactAttribute
{
    public RequiresTokenizerFactAttribute()
    {
        if (TokenizerLocations.FindQwen3() is null && !TestPaths.RequireIntegration)
        {
            Skip = "Shared tokenizer 'shared/tokenizer/qwen3' not found (set EHRR1_TOKENIZER).";
        }
    }
}
