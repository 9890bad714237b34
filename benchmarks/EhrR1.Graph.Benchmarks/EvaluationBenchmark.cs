using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EhrR1.Graph.Cli.Commands;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Evaluation.Predictions;
using EhrR1.Graph.Evaluation.Running;
using EhrR1.Graph.Evaluation.Scoring;
using EhrR1.Graph.Training.Model;
using EhrR1.Graph.Training.SafeTensors;
using EhrR1.Graph.Training.Tokenization;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;

namespace EhrR1.Graph.Benchmarks;

/// <summary>
/// <c>evaluation [N] [--decode]</c>: scores N synthetic predictions (default 100,000; 26 decision + 18 risk tasks) with
/// 1000 bootstrap resamples, end to end (read bench, read predictions, score, write outputs); with <c>--decode</c> also
/// measures local CPU decoding through <see cref="LocalModelPredictor"/> on a small randomly initialised Qwen3 model
/// with the real Qwen3 tokenizer (greedy, KV cache, batch 4).
/// </summary>
internal sealed class EvaluationBenchmark : IBenchmark
{
    public string Name => "evaluation";

    public string Description => "score N synthetic EHR-Bench predictions (default 100000); --decode: local CPU decoding tokens/s";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var n = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : 100_000;
        var dir = Path.Combine(Path.GetTempPath(), "ehrr1-eval-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        try
        {
            await ScoringAsync(n, dir, cancellationToken);
            if (args.Contains("--decode"))
            {
                await DecodeAsync(dir, cancellationToken);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        return 0;
    }

    private static async Task ScoringAsync(int n, string dir, CancellationToken ct)
    {
        var bench = Path.Combine(dir, "bench.jsonl");
        var predictions = Path.Combine(dir, "predictions.jsonl");
        var rng = new Random(1);
        var decisionTasks = Enumerable.Range(0, 26).Select(i => "decision_" + i.ToString("D2", CultureInfo.InvariantCulture)).ToArray();
        var riskTasks = Enumerable.Range(0, 18).Select(i => "risk_" + i.ToString("D2", CultureInfo.InvariantCulture)).ToArray();
        var items = Enumerable.Range(0, 60).Select(i => "Item number " + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        await using (var b = new StreamWriter(bench))
        await using (var p = new StreamWriter(predictions))
        {
            for (var i = 0; i < n; i++)
            {
                var risk = i % 44 >= 26;
                var task = risk ? riskTasks[(i % 44) - 26] : decisionTasks[i % 44];
                var id = task + ":" + i.ToString(CultureInfo.InvariantCulture) + ":1";
                string gold, text;
                double? pYes = null;
                if (risk)
                {
                    var riskScore = rng.NextDouble();
                    gold = rng.NextDouble() < riskScore ? "yes" : "no";
                    pYes = Math.Round(riskScore, 4);
                    text = riskScore >= 0.5 ? "yes" : "no";
                }
                else
                {
                    gold = string.Join("\n", Enumerable.Range(0, 1 + rng.Next(6)).Select(_ => items[rng.Next(items.Length)]));
                    text = "<think>\nshort reasoning\n</think>\n\n" + string.Join("\n", Enumerable.Range(0, 1 + rng.Next(6)).Select(_ => items[rng.Next(items.Length)]));
                }

                var record = new JsonObject
                {
                    ["idx"] = i,
                    ["sample_id"] = id,
                    ["instruction"] = "Predict.",
                    ["input"] = "## EHR\n- synthetic",
                    ["output"] = gold,
                    ["candidates"] = risk ? new JsonArray("yes", "no") : new JsonArray(),
                    ["task_info"] = new JsonObject { ["task"] = task, ["task_type"] = risk ? "risk_prediction" : "decision_making", ["metric"] = risk ? "aucroc" : "em", ["label"] = gold },
                };
                await b.WriteLineAsync(record.ToJsonString().AsMemory(), ct);
                await p.WriteLineAsync(JsonSerializer.Serialize(new PredictionRecord { SampleId = id, Task = task, Text = text, PYes = pYes }, JsonDefaults.Jsonl).AsMemory(), ct);
            }
        }

        var settings = new EvaluationRunSettings
        {
            BenchPath = bench,
            OutputDirectory = Path.Combine(dir, "eval"),
            PredictionsPath = predictions,
            Scoring = new ScoringSettings { BootstrapResamples = 1000 },
        };
        var clock = Stopwatch.StartNew();
        var gold0 = await EvaluationRunner.SelectSamplesAsync(settings, includeText: false, ct);
        var readBench = clock.Elapsed.TotalSeconds;
        var loaded = await PredictionStore.LoadAsync(predictions, ct);
        var readPredictions = clock.Elapsed.TotalSeconds - readBench;
        var t0 = clock.Elapsed.TotalSeconds;
        var (result, _) = EvaluationScorer.Score(gold0, loaded, "bench", "bench.jsonl", settings.Scoring, ct);
        var score = clock.Elapsed.TotalSeconds - t0;
        var noBootstrap = Stopwatch.StartNew();
        EvaluationScorer.Score(gold0, loaded, "bench", "bench.jsonl", settings.Scoring with { BootstrapResamples = 0 }, ct);
        var scoreNoBootstrap = noBootstrap.Elapsed.TotalSeconds;
        var e2e = Stopwatch.StartNew();
        await EvaluationScoring.ScoreAsync(settings, "bench", null, ct);
        var endToEnd = e2e.Elapsed.TotalSeconds;

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| scoring {n:N0} predictions ({result.Tasks.Count} tasks) | seconds |"));
        Console.WriteLine("|---|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| read bench (gold only) | {readBench:F2} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| read predictions | {readPredictions:F2} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| score, no bootstrap | {scoreNoBootstrap:F2} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| score + 1000 bootstrap resamples per task | {score:F2} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| `eval score` end to end (read, score, bootstrap, write scores/result/markdown) | {endToEnd:F2} |"));
    }

    private static async Task DecodeAsync(string dir, CancellationToken ct)
    {
        var tokenizerPath = TokenizerLocations.FindQwen3() ?? throw new InvalidOperationException("Qwen3 tokenizer not found (set EHRR1_TOKENIZER).");
        var checkpoint = Path.Combine(dir, "tiny-qwen3");
        var config = new Qwen3Config
        {
            HiddenSize = 128,
            IntermediateSize = 256,
            NumHiddenLayers = 4,
            NumAttentionHeads = 4,
            NumKeyValueHeads = 2,
            HeadDimValue = 32,
            MaxPositionEmbeddings = 4096,
        };
        EhrR1.Graph.Training.Native.TorchSharpNative.EnsureLoadable();
        torch.manual_seed(7);
        using (var model = new Qwen3ForCausalLM(config))
        {
            model.InitializeWeights(); // as `model init` does; the constructor leaves the tensors unset
            CheckpointDirectory.SaveModel(model, checkpoint, torch.ScalarType.Float32);
        }

        var bench = Path.Combine(dir, "decode-bench.jsonl");
        await using (var w = new StreamWriter(bench))
        {
            for (var i = 0; i < 32; i++)
            {
                var risk = i % 2 == 1;
                var input = "## Labotary Test Events [2150-01-0" + (1 + (i % 9)).ToString(CultureInfo.InvariantCulture) + " 08:00:00]\n" +
                    string.Concat(Enumerable.Range(0, 12).Select(k => "| Glucose | " + (90 + k + i).ToString(CultureInfo.InvariantCulture) + " | mg/dL | 70 | 100 |  |  |\n"));
                var record = new JsonObject
                {
                    ["sample_id"] = (risk ? "Inpatient_Mortality" : "labevents") + ":" + i.ToString(CultureInfo.InvariantCulture) + ":1",
                    ["instruction"] = risk ? "Please predict whether the patient will die in hospital." : "Please give the next Labotary Test Events suggestion for the patients.",
                    ["input"] = input,
                    ["output"] = risk ? "no" : "Glucose",
                    ["task_info"] = new JsonObject { ["task"] = risk ? "Inpatient_Mortality" : "labevents", ["task_type"] = risk ? "risk_prediction" : "decision_making" },
                };
                await w.WriteLineAsync(record.ToJsonString().AsMemory(), ct);
            }
        }

        var settings = new EvaluationRunSettings
        {
            BenchPath = bench,
            OutputDirectory = Path.Combine(dir, "decode-eval"),
            Prompt = new PromptSettings { MaxNewTokens = 32 },
            Scoring = new ScoringSettings { BootstrapResamples = 0 },
        };
        await using var predictor = new LocalModelPredictor(checkpoint, tokenizerPath, batchSize: 4);
        var clock = Stopwatch.StartNew();
        await new EvaluationRunner(NullLogger<EvaluationRunner>.Instance).PredictAsync(settings, predictor, new Progress<StageProgress>(), ct);
        var seconds = clock.Elapsed.TotalSeconds;
        var records = await PredictionStore.LoadAsync(settings.PredictionsFile, ct);
        var generated = records.Values.Where(r => r.ProbabilitySource is null).Sum(r => r.CompletionTokens ?? 0);
        var genMs = records.Values.Where(r => r.ProbabilitySource is null).Sum(r => r.ElapsedMs ?? 0);
        var riskMs = records.Values.Where(r => r.ProbabilitySource is not null).Sum(r => r.ElapsedMs ?? 0);
        var promptTokens = records.Values.Average(r => r.PromptTokens ?? 0);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| local CPU decoding (random Qwen3, hidden {config.HiddenSize}, {config.NumHiddenLayers} layers, real tokenizer, batch 4, ~{promptTokens:F0}-token prompts) | value |"));
        Console.WriteLine("|---|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| generation: tokens/s (16 prompts x up to 32 new tokens, prefill included) | {generated / (genMs / 1000):F1} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| risk: yes/no scores per second (16 prompts, one forward pass each) | {16 / (riskMs / 1000):F1} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| total wall seconds (32 samples) | {seconds:F2} |"));
    }
}
