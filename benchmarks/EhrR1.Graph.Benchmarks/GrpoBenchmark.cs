using System.Globalization;
using System.Text;
using System.Text.Json;
using EhrR1.Graph.Training.Grpo;
using EhrR1.Graph.Training.Native;
using EhrR1.Graph.Training.Tokenization;
using EhrR1.Graph.Training.Training;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Benchmarks;

/// <summary>
/// <c>grpo [--sft-steps N] [--steps N] [--generations G] [--threads N] [--out DIR]</c>: does GRPO learn? A tiny
/// Qwen3 (hidden 32, 2 layers, full vocabulary) is briefly fine-tuned (SFT) on a self-made verifiable task (the
/// potassium value in the record decides "hyperkalemia" vs "normal potassium", risk-style starts-with reward, /no_think),
/// then trained with GRPO; prints the mean verify reward of the first and last steps, completions/s and tokens/s, and
/// keeps metrics.jsonl and reward-curve.png in the output folder.
/// </summary>
internal sealed class GrpoBenchmark : IBenchmark
{
    private const string TinyConfig = """
        {
          "model_type": "qwen3", "vocab_size": 151936, "hidden_size": 32, "intermediate_size": 64,
          "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8,
          "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "max_position_embeddings": 1024,
          "tie_word_embeddings": true, "attention_bias": false, "hidden_act": "silu"
        }
        """;

    public string Name => "grpo";

    public string Description => "GRPO on a tiny verifiable task: mean verify reward over the run, completions/s, tokens/s";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var sftSteps = BenchmarkArgs.Get(args, "--sft-steps", 40);
        var steps = BenchmarkArgs.Get(args, "--steps", 30);
        var generations = BenchmarkArgs.Get(args, "--generations", 8);
        var threads = BenchmarkArgs.Get(args, "--threads", Environment.ProcessorCount);
        var outDir = BenchmarkArgs.Get(args, "--out", Path.Combine(Path.GetTempPath(), "ehrr1-grpo-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture)));
        TorchSharpNative.EnsureLoadable();
        var tokenizer = TokenizerLocations.FindQwen3();
        if (tokenizer is null)
        {
            await Console.Error.WriteLineAsync("the Qwen3 tokenizer (shared/tokenizer/qwen3 or $EHRR1_TOKENIZER) is needed.");
            return 1;
        }

        Directory.CreateDirectory(outDir);
        var config = Path.Combine(outDir, "tiny.json");
        await File.WriteAllTextAsync(config, TinyConfig, cancellationToken);
        var (sftData, prompts) = Task(Path.Combine(outDir, "sft.jsonl"), 64, seed: 7);

        // Stage 2 stand-in: a short SFT teaches the answer format (<think>\n\n</think>\n\nanswer), not yet the rule.
        var sft = await new SftTrainer(NullLogger.Instance).RunAsync(new TrainSettings
        {
            Data = sftData, OutputDirectory = Path.Combine(outDir, "sft"), ModelConfig = config, Tokenizer = tokenizer,
            MaxLength = 256, BatchSize = 8, MaxSteps = sftSteps, LearningRate = 1e-2, WarmupRatio = 0.1, Seed = 11, Threads = threads,
            SaveEvery = 100_000, Resume = false,
        }, null, cancellationToken);

        var settings = new GrpoSettings
        {
            InitFrom = sft.ModelDirectory, OutputDirectory = Path.Combine(outDir, "grpo"), Tokenizer = tokenizer,
            NumGenerations = generations, PromptsPerStep = 4, MaxCompletionLength = 16, MicroBatchSize = 32,
            MaxSteps = steps, LearningRate = 3e-3, WarmupRatio = 0.05, Seed = 5, Threads = threads, SaveEvery = 100_000, Resume = false,
        };
        var report = await new GrpoTrainer(NullLogger.Instance).RunAsync(settings, prompts, null, cancellationToken);
        var curve = EhrR1.Graph.Reports.RewardCurveChart.Save([.. report.History.Select(h => (h.Step, h.VerifyMean, h.RewardMean))], Path.Combine(settings.OutputDirectory, "reward-curve"));
        var window = Math.Max(1, steps / 5);
        var first = report.History.Take(window).Average(h => h.VerifyMean);
        var last = report.History.TakeLast(window).Average(h => h.VerifyMean);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"## grpo benchmark ({DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, {threads} threads)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"task: potassium > 4.5 -> hyperkalemia, else normal potassium ({prompts.Count} prompts, verify reward = starts-with); tiny Qwen3, SFT {sftSteps} steps, then GRPO {steps} steps x 4 prompts x G {generations}, beta 0, dapo, lr 3e-3"));
        Console.WriteLine("| | value |");
        Console.WriteLine("| --- | ---: |");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| mean verify reward, first {window} steps | {first:F3} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| mean verify reward, last {window} steps | {last:F3} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| share of zero-variance groups, first / last {window} steps | {report.History.Take(window).Average(h => h.ZeroVarianceShare):F2} / {report.History.TakeLast(window).Average(h => h.ZeroVarianceShare):F2} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| completions/s (sampling) | {report.CompletionsPerSecond:F1} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| generated tokens/s | {report.GeneratedTokensPerSecond:F0} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| GRPO wall time s | {report.ElapsedSeconds:F1} |"));
        Console.WriteLine("curve: " + string.Join(", ", curve) + "; metrics: " + Path.Combine(settings.OutputDirectory, "metrics.jsonl"));
        Console.WriteLine("verify reward per step: " + string.Join(" ", report.History.Select(h => h.VerifyMean.ToString("F2", CultureInfo.InvariantCulture))));
        return last > first ? 0 : 2;
    }

    /// <summary>SFT chat records and GRPO prompts of the same rule (different samples).</summary>
    private static (string SftPath, IReadOnlyList<GrpoPrompt> Prompts) Task(string sftPath, int count, int seed)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder();
        var prompts = new List<GrpoPrompt>();
        for (var i = 0; i < 2 * count; i++)
        {
            var potassium = Math.Round(3.0 + (rng.NextDouble() * 3.0), 1);
            var user = "## Laboratory Test Events\n| Potassium | " + potassium.ToString(CultureInfo.InvariantCulture) + " | mEq/L |\nWhat is the potassium status of the patient?";
            var answer = potassium > 4.5 ? "hyperkalemia" : "normal potassium";
            if (i < count)
            {
                var record = new
                {
                    sample_id = "k:" + i.ToString(CultureInfo.InvariantCulture),
                    messages = new[]
                    {
                        new { role = "system", content = GrpoTrainer.SystemPrompt },
                        new { role = "user", content = user + "\n/no_think" },
                        new { role = "assistant", content = answer },
                    },
                };
                sb.Append(JsonSerializer.Serialize(record)).Append('\n');
            }
            else
            {
                prompts.Add(new GrpoPrompt("k:" + i.ToString(CultureInfo.InvariantCulture), "potassium", user, new RewardTarget(AnswerKind.StartsWith, [answer]), Think: false));
            }
        }

        File.WriteAllText(sftPath, sb.ToString());
        return (sftPath, prompts);
    }
}
