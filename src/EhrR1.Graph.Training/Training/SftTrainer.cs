using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Training.Data;
using EhrR1.Graph.Training.Model;
using EhrR1.Graph.Training.Native;
using EhrR1.Graph.Training.SafeTensors;
using EhrR1.Graph.Training.Tokenization;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace EhrR1.Graph.Training.Training;

/// <summary>
/// Supervised fine-tuning of a Qwen3 model on EHR-Ins chat records with completion-only loss, length-bucketed
/// batches, AdamW + cosine schedule, gradient accumulation and clipping, periodic eval, checkpoints and exact resume.
/// </summary>
public sealed class SftTrainer
{
    private const string TokenCacheFolder = "token-cache";
    private readonly ILogger _logger;

    public SftTrainer(ILogger logger)
    {
        _logger = logger;
    }

    public Task<TrainReport> RunAsync(TrainSettings settings, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        StageConfigurationException.ThrowIfAny(settings.Validate());
        TorchSharpNative.EnsureLoadable(_logger);
        // Torch work is synchronous and CPU-bound: run it off the caller's thread.
        return Task.Factory.StartNew(() => Run(settings, progress, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    internal static (Device Device, ScalarType Dtype) ResolveDevice(string device, string dtype)
    {
        var useCuda = device == "cuda" || (device == "auto" && cuda.is_available());
        if (device == "cuda" && !cuda.is_available())
        {
            throw new StageConfigurationException("--device cuda was requested but CUDA is not available (this build uses the CPU libtorch; build with -p:TorchBackend=cuda on a GPU machine).");
        }

        var dev = useCuda ? CUDA : CPU;
        var type = dtype switch
        {
            "float32" => ScalarType.Float32,
            "bfloat16" => ScalarType.BFloat16,
            _ => useCuda ? ScalarType.BFloat16 : ScalarType.Float32,
        };
        return (dev, type);
    }

    private TrainReport Run(TrainSettings s, IProgress<StageProgress>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        if (s.Threads > 0)
        {
            set_num_threads(s.Threads);
        }

        var (device, dtype) = ResolveDevice(s.Device, s.Dtype);
        var tokenizerDir = s.Tokenizer ?? TokenizerLocations.FindQwen3()
            ?? throw new StageConfigurationException($"Qwen3 tokenizer not found: pass --tokenizer DIR or set {TokenizerLocations.TokenizerVariable}.");
        var tokenizer = Qwen3Tokenizer.Load(tokenizerDir);
        if (!Qwen3Tokenizer.NormalizationAvailable)
        {
            _logger.LogWarning("Unicode normalisation is unavailable (invariant globalization mode): decomposed accents will tokenize differently from Hugging Face.");
        }

        var encoder = new SftEncoder(tokenizer, s.MaxLength, s.Truncation, s.HeadTokens);
        progress?.Report(new StageProgress("tokenize", 0, null));
        // Tokenized once into an on-disk cache and read batch by batch: memory does not grow with the corpus.
        var cacheDirectory = Path.Combine(s.OutputDirectory, TokenCacheFolder);
        using var first = TokenizedCorpus.Open(s.Data, encoder, tokenizerDir, cacheDirectory, _logger, ct);
        using var second = s.MixData is null ? null : TokenizedCorpus.Open(s.MixData, encoder, tokenizerDir, cacheDirectory, _logger, ct);
        ITokenizedExamples train = second is null ? first : new ConcatenatedExamples(first, second);
        var truncated = first.Truncated + (second?.Truncated ?? 0);
        var dropped = first.Dropped + (second?.Dropped ?? 0);
        using var eval = s.EvalData is null ? null : TokenizedCorpus.Open(s.EvalData, encoder, tokenizerDir, cacheDirectory, _logger, ct);
        if (train.Count == 0)
        {
            throw new InputDataException("EHR-TRN-020", s.Data, null, null, "no usable training examples", found: $"{dropped} dropped as too long for --max-length {s.MaxLength}");
        }

        _logger.LogInformation("{How} {Count} training examples ({Truncated} truncated, {Dropped} dropped); {Eval} eval examples.",
            first.Reused ? "Token cache reused for" : "Tokenized", train.Count, truncated, dropped, eval?.Count ?? 0);
        if (second is not null)
        {
            _logger.LogInformation("Mixing {Second} examples of {MixData} into {First} ({Mixing}{Start}).", second.Count, Path.GetFileName(s.MixData), first.Count, s.Mixing,
                s.Mixing == DatasetMixing.Curriculum ? ", second dataset from progress " + CurriculumSchedule.Start(first.Count, second.Count).ToString("F3", CultureInfo.InvariantCulture) : string.Empty);
        }

        Directory.CreateDirectory(s.OutputDirectory);
        manual_seed(s.Seed);
        using var model = BuildModel(s, dtype, device);
        var vocabLimit = model.Config.VocabSize;
        if (tokenizer.Count > vocabLimit)
        {
            throw new StageConfigurationException($"the tokenizer has {tokenizer.Count} ids but the model's vocab_size is {vocabLimit}; use a config with vocab_size >= {tokenizer.Count}.");
        }

        var trainable = model.TrainableParameters();
        using var optimizer = new AdamW(trainable, s.Beta1, s.Beta2, s.Epsilon, s.WeightDecay);
        var batchesPerEpoch = LengthBucketBatcher.EpochBatches(train.Lengths, s.BatchSize, s.Seed, 0).Count;
        var totalSteps = s.MaxSteps ?? (s.Epochs * Math.Max(1, batchesPerEpoch / s.GradientAccumulation));
        var history = new List<StepMetrics>();
        var startStep = TryResume(s, model, optimizer, history);
        var batchCache = new Dictionary<int, IReadOnlyList<int[]>>();

        // Curriculum mixing orders every draw of the whole run (progress is over the run, not an epoch): one "epoch" of
        // consecutive batches covering all steps.
        if (second is not null && s.Mixing == DatasetMixing.Curriculum)
        {
            var draws = (long)totalSteps * s.GradientAccumulation * s.BatchSize;
            var curriculum = CurriculumSchedule.Batches(CurriculumSchedule.Order(first.Count, second.Count, draws, s.Seed), s.BatchSize);
            batchesPerEpoch = curriculum.Count;
            batchCache[0] = curriculum;
        }

        IReadOnlyList<int[]> Batches(int epoch)
        {
            if (!batchCache.TryGetValue(epoch, out var list))
            {
                batchCache.Clear();
                list = LengthBucketBatcher.EpochBatches(train.Lengths, s.BatchSize, s.Seed, epoch);
                batchCache[epoch] = list;
            }

            return list;
        }

        _logger.LogInformation("Training {Steps} steps (batch {Batch} x accumulation {Accum}, {PerEpoch} batches per epoch) on {Device} in {Dtype}; {Trainable:N0} of {Total:N0} parameters trainable.",
            totalSteps, s.BatchSize, s.GradientAccumulation, batchesPerEpoch, device.type, dtype, trainable.Sum(p => p.Parameter.NumberOfElements), model.parameters().Sum(p => p.NumberOfElements));
        model.train();
        long trainedTokens = 0;
        var trainClock = Stopwatch.StartNew();
        for (var step = startStep; step < totalSteps; step++)
        {
            ct.ThrowIfCancellationRequested();
            var lr = CosineSchedule.LearningRate(step, totalSteps, s.LearningRate, s.WarmupRatio);
            var micro = Enumerable.Range(0, s.GradientAccumulation).Select(k =>
            {
                var m = ((long)step * s.GradientAccumulation) + k;
                var epochBatches = Batches((int)(m / batchesPerEpoch));
                return epochBatches[(int)(m % batchesPerEpoch)];
            }).ToList();
            var stepTokens = micro.Sum(b => b.Sum(i => (long)train.CompletionTokens(i)));
            optimizer.ZeroGrad();
            double lossSum = 0;
            foreach (var batch in micro)
            {
                using var scope = NewDisposeScope();
                var (sum, _) = BatchLoss(model, train, batch, device);
                var scaled = sum / Math.Max(1, stepTokens);
                scaled.backward();
                lossSum += sum.item<float>();
                trainedTokens += batch.Sum(i => (long)train.Length(i));
            }

            double gradNorm;
            using (var scope = NewDisposeScope())
            {
                gradNorm = s.MaxGradNorm > 0
                    ? nn.utils.clip_grad_norm_(trainable.Select(p => p.Parameter), s.MaxGradNorm)
                    : 0.0;
            }

            optimizer.Update(lr);
            var done = step + 1;
            double? evalLoss = null;
            if (eval is { Count: > 0 } && (done % s.EvalEvery == 0 || done == totalSteps))
            {
                evalLoss = Evaluate(model, eval, s.BatchSize, device);
                model.train();
            }

            var metrics = new StepMetrics(done, lr, lossSum / Math.Max(1, stepTokens), gradNorm, stepTokens, evalLoss);
            history.Add(metrics);
            if (done % s.LogEvery == 0 || done == totalSteps || evalLoss is not null)
            {
                _logger.LogInformation("step {Step}/{Total} loss {Loss:F4} lr {Lr:E2} grad-norm {Norm:F3}{Eval}", done, totalSteps, metrics.Loss, lr, gradNorm,
                    evalLoss is { } e ? " eval-loss " + e.ToString("F4", CultureInfo.InvariantCulture) : string.Empty);
            }

            progress?.Report(new StageProgress("train", done, totalSteps, "steps"));
            if (done % s.SaveEvery == 0 && done < totalSteps)
            {
                SaveCheckpoint(s, model, optimizer, done, history);
            }
        }

        var tokensPerSecond = trainedTokens / Math.Max(1e-9, trainClock.Elapsed.TotalSeconds);
        var modelDir = Path.Combine(s.OutputDirectory, "model");
        ExportModel(model, modelDir, tokenizerDir, s.Lora);
        WriteMetrics(Path.Combine(s.OutputDirectory, "metrics.jsonl"), history);
        var report = new TrainReport(modelDir, totalSteps, startStep, history, train.Count, eval?.Count ?? 0,
            truncated, dropped, model.parameters().Sum(p => p.NumberOfElements), trainable.Sum(p => p.Parameter.NumberOfElements),
            tokensPerSecond, clock.Elapsed.TotalSeconds);
        new RunManifest
        {
            Stage = "train",
            Settings = new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                ["model_config"] = s.ModelConfig, ["init_from"] = s.InitFrom, ["max_length"] = Str(s.MaxLength), ["truncation"] = s.Truncation.ToString(),
                ["batch_size"] = Str(s.BatchSize), ["grad_accum"] = Str(s.GradientAccumulation), ["lr"] = Str(s.LearningRate), ["warmup_ratio"] = Str(s.WarmupRatio),
                ["epochs"] = Str(s.Epochs), ["max_steps"] = s.MaxSteps?.ToString(CultureInfo.InvariantCulture), ["seed"] = Str(s.Seed),
                ["mix_data"] = s.MixData, ["mixing"] = s.MixData is null ? null : s.Mixing.ToString(),
                ["lora_rank"] = s.Lora?.Rank.ToString(CultureInfo.InvariantCulture), ["device"] = device.type.ToString(), ["dtype"] = dtype.ToString(),
            },
            Inputs = s.MixData is null ? [FileFingerprint.Of(s.Data)] : [FileFingerprint.Of(s.Data), FileFingerprint.Of(s.MixData)],
            Counts = new Dictionary<string, long>(StringComparer.Ordinal)
            {
                ["train_examples"] = train.Count, ["truncated"] = truncated, ["dropped"] = dropped, ["steps"] = totalSteps,
            },
            ElapsedSeconds = clock.Elapsed.TotalSeconds,
        }.Save(Path.Combine(s.OutputDirectory, "manifest.json"));
        return report;
    }

    private static string Str(double v) => v.ToString(CultureInfo.InvariantCulture);

    private Qwen3ForCausalLM BuildModel(TrainSettings s, ScalarType dtype, Device device)
    {
        Qwen3ForCausalLM model;
        if (s.InitFrom is not null)
        {
            model = CheckpointDirectory.LoadModel(s.InitFrom, dtype, device, _logger);
        }
        else
        {
            var config = Qwen3Config.Load(s.ModelConfig!);
            model = new Qwen3ForCausalLM(config);
            model.InitializeWeights();
            model.to(dtype).to(device);
        }

        if (s.Lora is not null)
        {
            model.AddLora(s.Lora);
            model.to(device);
        }

        return model;
    }

    /// <summary>Sum of token cross-entropies over the answer positions of a batch, and their count.</summary>
    internal static (Tensor Sum, long Count) BatchLoss(Qwen3ForCausalLM model, ITokenizedExamples examples, int[] batch, Device device)
    {
        var maxLen = batch.Max(examples.Length);
        var ids = new long[batch.Length * maxLen];
        var positions = new List<long>();
        var targets = new List<long>();
        var pad = model.Config.EosTokenId ?? 0;
        for (var b = 0; b < batch.Length; b++)
        {
            var tokens = examples.Tokens(batch[b]);
            var promptLength = examples.PromptLength(batch[b]);
            for (var t = 0; t < maxLen; t++)
            {
                ids[(b * maxLen) + t] = t < tokens.Length ? tokens[t] : pad;
            }

            // Position t predicts token t + 1: score the answer tokens only.
            for (var t = Math.Max(0, promptLength - 1); t < tokens.Length - 1; t++)
            {
                positions.Add(((long)b * maxLen) + t);
                targets.Add(tokens[t + 1]);
            }
        }

        var input = tensor(ids, [batch.Length, maxLen], device: device);
        // Right padding + causal attention: real tokens never see the padding, and padded positions are not scored.
        var hidden = model.Hidden(input);
        var flat = hidden.reshape(-1, hidden.shape[^1]);
        var selected = flat.index_select(0, tensor(positions.ToArray(), device: device));
        var logits = model.Logits(selected).to(ScalarType.Float32);
        var loss = nn.functional.cross_entropy(logits, tensor(targets.ToArray(), device: device), reduction: nn.Reduction.Sum);
        return (loss, targets.Count);
    }

    internal static double Evaluate(Qwen3ForCausalLM model, ITokenizedExamples examples, int batchSize, Device device)
    {
        model.eval();
        double sum = 0;
        long count = 0;
        var order = Enumerable.Range(0, examples.Count).OrderBy(examples.Length).ToArray();
        using var noGrad = no_grad();
        for (var start = 0; start < order.Length; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var (loss, n) = BatchLoss(model, examples, order.Skip(start).Take(batchSize).ToArray(), device);
            sum += loss.item<float>();
            count += n;
        }

        return sum / Math.Max(1, count);
    }

    private void SaveCheckpoint(TrainSettings s, Qwen3ForCausalLM model, AdamW optimizer, int step, IReadOnlyList<StepMetrics> history)
    {
        using var rng = get_rng_state();
        var state = new CheckpointState(step, optimizer.Step, s.Seed, Convert.ToBase64String(rng.bytes), history.ToList());
        var name = TrainingCheckpoints.Save(s.OutputDirectory, step, model, optimizer, state, s.KeepCheckpoints);
        _logger.LogInformation("Saved checkpoint {Name}.", name);
    }

    private int TryResume(TrainSettings s, Qwen3ForCausalLM model, AdamW optimizer, List<StepMetrics> history)
    {
        if (!s.Resume || TrainingCheckpoints.Latest<CheckpointState>(s.OutputDirectory, s.Seed, c => c.Seed) is not (var latest, var state))
        {
            return 0;
        }

        TrainingCheckpoints.Restore(latest, model, optimizer);
        optimizer.Step = state.OptimizerStep;
        var rngBytes = Convert.FromBase64String(state.RngState);
        using (var rng = get_rng_state())
        {
            rngBytes.CopyTo(rng.bytes);
            set_rng_state(rng);
        }

        history.AddRange(state.History);
        _logger.LogInformation("Resumed from {Checkpoint} at step {Step}.", Path.GetFileName(latest), state.Step);
        return state.Step;
    }

    internal static void ExportModel(Qwen3ForCausalLM model, string modelDir, string tokenizerDir, LoraSettings? lora)
    {
        using var staging = AtomicDirectory.Begin(modelDir, force: true);
        var dtype = model.parameters().First().dtype;
        CheckpointDirectory.SaveModel(model, staging.StagingPath, dtype);
        foreach (var f in new[] { "tokenizer.json", "tokenizer_config.json" })
        {
            var src = Path.Combine(tokenizerDir, f);
            if (File.Exists(src))
            {
                File.Copy(src, Path.Combine(staging.StagingPath, f));
            }
        }

        if (lora is not null)
        {
            SafeTensorsFile.Write(Path.Combine(staging.StagingPath, "adapter_model.safetensors"), model.LoraWeights());
            var adapter = new
            {
                peft_type = "LORA",
                r = lora.Rank,
                lora_alpha = lora.Alpha,
                lora_dropout = lora.Dropout,
                target_modules = lora.TargetModules,
                merged_into_model_safetensors = true,
            };
            File.WriteAllText(Path.Combine(staging.StagingPath, "adapter_config.json"), JsonSerializer.Serialize(adapter, JsonDefaults.Indented));
        }

        staging.Commit();
    }

    private static void WriteMetrics(string path, IReadOnlyList<StepMetrics> history) =>
        AtomicFile.WriteAllText(path, string.Concat(history.Select(h => JsonSerializer.Serialize(h, JsonDefaults.Jsonl) + "\n")));

    internal sealed record CheckpointState(int Step, long OptimizerStep, int Seed, string RngState, List<StepMetrics> History);
}
