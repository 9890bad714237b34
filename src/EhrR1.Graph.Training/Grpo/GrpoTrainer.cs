using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Training.Generation;
using EhrR1.Graph.Training.Model;
using EhrR1.Graph.Training.Native;
using EhrR1.Graph.Training.SafeTensors;
using EhrR1.Graph.Training.Tokenization;
using EhrR1.Graph.Training.Training;
using Microsoft.Extensions.Logging;
using TorchSharp;
using Generator = TorchSharp.torch.Generator;
using static TorchSharp.torch;

namespace EhrR1.Graph.Training.Grpo;

/// <summary>
/// GRPO (stage 3): per step, <see cref="GrpoSettings.PromptsPerStep"/> prompts × G sampled completions from the
/// policy (KV-cache generator), verifiable rewards, group-normalised advantages and the clipped objective of
/// <see cref="GrpoObjective"/>, optionally with KL to the frozen starting policy. Checkpoints and resume as SFT; every
/// step's sampling and dropout are seeded from (seed, step), so a resumed run repeats the uninterrupted one.
/// </summary>
public sealed class GrpoTrainer
{
    public const string SystemPrompt = "You are a helpful assistant.";
    private static readonly string[] StopTokens = ["<|im_end|>", "<|endoftext|>"];
    private readonly ILogger _logger;

    public GrpoTrainer(ILogger logger)
    {
        _logger = logger;
    }

    public Task<GrpoReport> RunAsync(GrpoSettings settings, IReadOnlyList<GrpoPrompt> prompts, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(prompts);
        StageConfigurationException.ThrowIfAny(settings.Validate());
        if (prompts.Count == 0)
        {
            throw new StageConfigurationException("GRPO needs at least one prompt.");
        }

        TorchSharpNative.EnsureLoadable(_logger);
        return Task.Factory.StartNew(() => Run(settings, prompts, progress, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>The user turn as upstream: decision tasks end "\n/think", risk tasks "\n/no_think".</summary>
    public static string UserMessage(GrpoPrompt prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return prompt.User + (prompt.Think ? "\n/think" : "\n/no_think");
    }

    /// <summary>Prompt token ids (chat template with thinking enabled), cut from the left to the limit as TRL does.</summary>
    public static (int[] Ids, bool Truncated) EncodePrompt(Qwen3Tokenizer tokenizer, GrpoPrompt prompt, int maxPromptLength)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        var text = ChatTemplate.Render([new ChatMessage("system", SystemPrompt), new ChatMessage("user", UserMessage(prompt))], addGenerationPrompt: true, enableThinking: true);
        var ids = tokenizer.Encode(text);
        return ids.Count > maxPromptLength ? (ids.Skip(ids.Count - maxPromptLength).ToArray(), true) : (ids.ToArray(), false);
    }

    private GrpoReport Run(GrpoSettings s, IReadOnlyList<GrpoPrompt> prompts, IProgress<StageProgress>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        if (s.Threads > 0)
        {
            set_num_threads(s.Threads);
        }

        var (device, dtype) = SftTrainer.ResolveDevice(s.Device, s.Dtype);
        var tokenizerDir = s.Tokenizer ?? TokenizerLocations.FindQwen3()
            ?? throw new StageConfigurationException($"Qwen3 tokenizer not found: pass --tokenizer DIR or set {TokenizerLocations.TokenizerVariable}.");
        var tokenizer = Qwen3Tokenizer.Load(tokenizerDir);
        var encoded = prompts.Select(p => EncodePrompt(tokenizer, p, s.MaxPromptLength)).ToArray();
        var promptIds = encoded.Select(e => e.Ids).ToArray();
        var truncatedPrompts = encoded.Count(e => e.Truncated);
        var stopIds = new HashSet<int>(StopTokens.Select(tokenizer.TokenToId).OfType<int>());
        var padId = tokenizer.TokenToId("<|endoftext|>") ?? 0;

        Directory.CreateDirectory(s.OutputDirectory);
        manual_seed(s.Seed);
        using var policy = CheckpointDirectory.LoadModel(s.InitFrom, dtype, device, _logger);
        if (s.Lora is not null)
        {
            policy.AddLora(s.Lora);
            policy.to(device);
        }

        // β = 0: no reference model in memory (TRL does the same).
        using var reference = s.Beta == 0 ? null : CheckpointDirectory.LoadModel(s.InitFrom, dtype, device, _logger);
        Freeze(reference);
        var trainable = policy.TrainableParameters();
        using var optimizer = new AdamW(trainable, 0.9, 0.999, 1e-8, s.WeightDecay);
        var stepsPerEpoch = Math.Max(1, prompts.Count / s.PromptsPerStep);
        var totalSteps = s.MaxSteps ?? (s.Epochs * stepsPerEpoch);
        var history = new List<GrpoStepMetrics>();
        var startStep = TryResume(s, policy, optimizer, history);
        var generator = new Qwen3Generator(policy, padId);
        _logger.LogInformation("GRPO: {Steps} steps of {Prompts} prompts x {G} completions ({Total} prompts, {Cut} cut to --max-prompt-length); beta {Beta}, {Loss} loss, on {Device}.",
            totalSteps, s.PromptsPerStep, s.NumGenerations, prompts.Count, truncatedPrompts, s.Beta, s.LossType, device.type);
        long generated = 0;
        long completions = 0;
        double generationSeconds = 0;
        for (var step = startStep; step < totalSteps; step++)
        {
            ct.ThrowIfCancellationRequested();
            manual_seed(StepSeed(s.Seed, step));
            var lr = CosineSchedule.LearningRate(step, totalSteps, s.LearningRate, s.WarmupRatio);
            var chosen = StepPrompts(prompts.Count, s.PromptsPerStep, stepsPerEpoch, s.Seed, step);

            // 1. Sample G completions per prompt (prompt-major).
            var genClock = Stopwatch.StartNew();
            var batchPrompts = chosen.SelectMany(i => Enumerable.Repeat(promptIds[i], s.NumGenerations)).ToArray();
            var outputs = new List<int[]>();
            using (var gen = new Generator((ulong)StepSeed(s.Seed, step), device))
            {
                foreach (var chunk in batchPrompts.Chunk(s.MicroBatchSize))
                {
                    outputs.AddRange(generator.GenerateSampled(chunk.Cast<IReadOnlyList<int>>().ToArray(), s.MaxCompletionLength, stopIds, s.Sampling, gen, ct));
                }
            }

            generationSeconds += genClock.Elapsed.TotalSeconds;
            generated += outputs.Sum(o => (long)o.Length);
            completions += outputs.Count;

            // 2. Rewards and advantages.
            var texts = outputs.Select(o => tokenizer.Decode(o.Where(id => !stopIds.Contains(id)))).ToArray();
            var targets = chosen.SelectMany(i => Enumerable.Repeat(prompts[i].Target, s.NumGenerations)).ToArray();
            var verify = texts.Select((t, k) => GrpoRewards.Verify(t, targets[k])).ToArray();
            var format = texts.Select(GrpoRewards.Format).ToArray();
            var total = verify.Select((v, k) => s.RewardWeights.Combine(v, format[k])).ToArray();
            var adv = GrpoObjective.Advantages(total, s.NumGenerations, s.ScaleRewards);

            // 3. Optimise.
            var batch = new GrpoBatch(batchPrompts, outputs.ToArray(), adv.Advantages);
            var (loss, gradNorm, kl, clip) = OptimizeStep(policy, reference, optimizer, batch, s, lr, padId);
            var truncated = outputs.Count(o => o.Length == 0 || !stopIds.Contains(o[^1]));
            var metrics = new GrpoStepMetrics(step + 1, lr, loss, gradNorm,
                total.Average(), GrpoObjective.UnbiasedStd(total, 0, total.Length),
                verify.Average(), GrpoObjective.UnbiasedStd(verify, 0, verify.Length),
                format.Average(), GrpoObjective.UnbiasedStd(format, 0, format.Length),
                kl, clip, outputs.Average(o => (double)o.Length), (double)truncated / outputs.Count, adv.ZeroVarianceShare,
                outputs.Count, outputs.Sum(o => (long)o.Length));
            history.Add(metrics);
            var done = step + 1;
            if (done % s.LogEvery == 0 || done == totalSteps)
            {
                _logger.LogInformation("step {Step}/{Total} reward {Reward:F3} (verify {Verify:F3}) loss {Loss:F4} kl {Kl:F4} clip {Clip:F3} len {Len:F0} zero-var {Zero:F2}",
                    done, totalSteps, metrics.RewardMean, metrics.VerifyMean, loss, kl, clip, metrics.CompletionLengthMean, metrics.ZeroVarianceShare);
            }

            progress?.Report(new StageProgress("grpo", done, totalSteps, "steps"));
            if (done % s.SaveEvery == 0 && done < totalSteps)
            {
                SaveCheckpoint(s, policy, optimizer, done, history);
            }
        }

        var modelDir = Path.Combine(s.OutputDirectory, "model");
        SftTrainer.ExportModel(policy, modelDir, tokenizerDir, s.Lora);
        AtomicFile.WriteAllText(Path.Combine(s.OutputDirectory, "metrics.jsonl"), string.Concat(history.Select(h => JsonSerializer.Serialize(h, JsonDefaults.Jsonl) + "\n")));
        var report = new GrpoReport(modelDir, totalSteps, startStep, history, prompts.Count, truncatedPrompts,
            completions / Math.Max(1e-9, generationSeconds), generated / Math.Max(1e-9, generationSeconds), clock.Elapsed.TotalSeconds);
        new RunManifest
        {
            Stage = "train-grpo",
            Settings = new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                ["init_from"] = s.InitFrom, ["num_generations"] = Str(s.NumGenerations), ["prompts_per_step"] = Str(s.PromptsPerStep),
                ["max_prompt_length"] = Str(s.MaxPromptLength), ["max_completion_length"] = Str(s.MaxCompletionLength),
                ["temperature"] = Str(s.Sampling.Temperature), ["top_p"] = Str(s.Sampling.TopP), ["top_k"] = s.Sampling.TopK?.ToString(CultureInfo.InvariantCulture),
                ["lr"] = Str(s.LearningRate), ["beta"] = Str(s.Beta), ["epsilon"] = Str(s.Epsilon), ["epsilon_high"] = Str(s.EpsilonHigh ?? s.Epsilon),
                ["num_iterations"] = Str(s.NumIterations), ["scale_rewards"] = s.ScaleRewards.ToString(), ["loss_type"] = s.LossType.ToString(),
                ["reward_weights"] = Str(s.RewardWeights.Verify) + "," + Str(s.RewardWeights.Format), ["seed"] = Str(s.Seed),
                ["lora_rank"] = s.Lora?.Rank.ToString(CultureInfo.InvariantCulture), ["device"] = device.type.ToString(), ["dtype"] = dtype.ToString(),
            },
            Counts = new Dictionary<string, long>(StringComparer.Ordinal)
            {
                ["prompts"] = prompts.Count, ["truncated_prompts"] = truncatedPrompts, ["steps"] = totalSteps,
            },
            ElapsedSeconds = clock.Elapsed.TotalSeconds,
        }.Save(Path.Combine(s.OutputDirectory, "manifest.json"));
        return report;
    }

    private static string Str(double v) => v.ToString(CultureInfo.InvariantCulture);

    private static long StepSeed(int seed, int step) => ((long)seed * 1_000_003L) + step + 1;

    /// <summary>The prompt indices of a step: each epoch a seeded permutation, cut into consecutive groups.</summary>
    internal static int[] StepPrompts(int count, int perStep, int stepsPerEpoch, int seed, int step)
    {
        var epoch = step / stepsPerEpoch;
        var order = Enumerable.Range(0, count).ToArray();
        new Random(HashCode.Combine(seed, epoch) & int.MaxValue).Shuffle(order);
        var start = (step % stepsPerEpoch) * perStep;
        return Enumerable.Range(start, perStep).Select(i => order[i % count]).ToArray();
    }

    private static void Freeze(Qwen3ForCausalLM? model)
    {
        if (model is null)
        {
            return;
        }

        foreach (var p in model.parameters())
        {
            p.requires_grad = false;
        }

        model.eval();
    }

    /// <summary>
    /// The optimisation of one generation batch: μ optimizer steps over its micro-batches (old log-probs from before
    /// the first update, as TRL; with μ = 1 they equal the current ones, so the ratio is 1 and nothing is clipped).
    /// Returns the last iteration's loss, grad norm, mean KL per token and clip fraction.
    /// </summary>
    internal static (double Loss, double GradNorm, double Kl, double ClipFraction) OptimizeStep(
        Qwen3ForCausalLM policy, Qwen3ForCausalLM? reference, AdamW optimizer, GrpoBatch batch, GrpoSettings s, double lr, int padId)
    {
        var micro = Enumerable.Range(0, batch.Completions.Length).Chunk(s.MicroBatchSize).ToArray();
        var activeTokens = (double)batch.Completions.Sum(c => c.Length);
        var epsHigh = s.EpsilonHigh ?? s.Epsilon;
        Tensor?[] old = new Tensor?[micro.Length];
        Tensor?[] refs = new Tensor?[micro.Length];
        var trainable = policy.TrainableParameters();
        try
        {
            using (no_grad())
            {
                for (var k = 0; k < micro.Length; k++)
                {
                    if (s.NumIterations > 1)
                    {
                        policy.eval();
                        old[k] = LogProbs(policy, batch, micro[k], s.Sampling.Temperature, padId).LogProbs.DetachFromDisposeScope();
                    }

                    if (reference is not null && s.Beta != 0)
                    {
                        refs[k] = LogProbs(reference, batch, micro[k], s.Sampling.Temperature, padId).LogProbs.DetachFromDisposeScope();
                    }
                }
            }

            policy.train();
            double loss = 0, gradNorm = 0, kl = 0, clipped = 0, tokens = 0;
            for (var iteration = 0; iteration < s.NumIterations; iteration++)
            {
                optimizer.ZeroGrad();
                loss = kl = clipped = tokens = 0;
                for (var k = 0; k < micro.Length; k++)
                {
                    using var scope = NewDisposeScope();
                    var (logProbs, mask) = LogProbs(policy, batch, micro[k], s.Sampling.Temperature, padId);
                    var adv = tensor(micro[k].Select(i => batch.Advantages[i]).ToArray(), device: logProbs.device).to(logProbs.dtype);
                    var result = GrpoObjective.Loss(logProbs, old[k] ?? logProbs.detach(), refs[k], adv, mask, s.Epsilon, epsHigh, s.Beta, s.LossType, activeTokens, s.MaxCompletionLength);
                    // dapo already divides by the whole batch's tokens; the others average over micro-batches (TRL: / accumulation steps).
                    var scaled = s.LossType == GrpoLossType.Dapo ? result.Loss : result.Loss / micro.Length;
                    scaled.backward();
                    loss += GrpoObjective.Scalar(scaled);
                    kl += result.KlSum;
                    clipped += result.ClippedTokens;
                    tokens += result.Tokens;
                }

                using (NewDisposeScope())
                {
                    gradNorm = s.MaxGradNorm > 0 ? nn.utils.clip_grad_norm_(trainable.Select(p => p.Parameter), s.MaxGradNorm) : 0.0;
                }

                optimizer.Update(lr);
            }

            return (loss, gradNorm, kl / Math.Max(1, tokens), clipped / Math.Max(1, tokens));
        }
        finally
        {
            foreach (var t in old.Concat(refs))
            {
                t?.Dispose();
            }
        }
    }

    /// <summary>Log-probabilities [B, Tc] of the completion tokens (logits / temperature, as TRL) and their mask.</summary>
    internal static (Tensor LogProbs, Tensor Mask) LogProbs(Qwen3ForCausalLM model, GrpoBatch batch, int[] rows, double temperature, int padId)
    {
        var device = model.parameters().First().device;
        var maxLen = rows.Max(i => batch.Prompts[i].Length + batch.Completions[i].Length);
        var maxCompletion = Math.Max(1, rows.Max(i => batch.Completions[i].Length));
        var ids = new long[rows.Length * maxLen];
        var positions = new long[rows.Length * maxCompletion];
        var targets = new long[rows.Length * maxCompletion];
        var mask = new float[rows.Length * maxCompletion];
        for (var b = 0; b < rows.Length; b++)
        {
            var prompt = batch.Prompts[rows[b]];
            var completion = batch.Completions[rows[b]];
            for (var t = 0; t < maxLen; t++)
            {
                ids[(b * maxLen) + t] = t < prompt.Length ? prompt[t] : t < prompt.Length + completion.Length ? completion[t - prompt.Length] : padId;
            }

            for (var j = 0; j < maxCompletion; j++)
            {
                var k = (b * maxCompletion) + j;
                var real = j < completion.Length;
                // Position p predicts token p + 1: completion token j is predicted at prompt length + j − 1.
                positions[k] = (b * (long)maxLen) + (real ? prompt.Length + j - 1 : 0);
                targets[k] = real ? completion[j] : 0;
                mask[k] = real ? 1f : 0f;
            }
        }

        // Right padding + causal attention: real tokens never see the padding.
        var hidden = model.Hidden(tensor(ids, [rows.Length, maxLen], device: device));
        var selected = hidden.reshape(-1, hidden.shape[^1]).index_select(0, tensor(positions, device: device));
        var logits = model.Logits(selected).to(ScalarType.Float32) / temperature;
        var logProbs = nn.functional.log_softmax(logits, -1).gather(1, tensor(targets, device: device).unsqueeze(1)).squeeze(1);
        return (logProbs.reshape(rows.Length, maxCompletion), tensor(mask, [rows.Length, maxCompletion], device: device));
    }

    private void SaveCheckpoint(GrpoSettings s, Qwen3ForCausalLM model, AdamW optimizer, int step, IReadOnlyList<GrpoStepMetrics> history)
    {
        var state = new GrpoCheckpointState(step, optimizer.Step, s.Seed, history.ToList());
        var name = TrainingCheckpoints.Save(s.OutputDirectory, step, model, optimizer, state, s.KeepCheckpoints);
        _logger.LogInformation("Saved checkpoint {Name}.", name);
    }

    private int TryResume(GrpoSettings s, Qwen3ForCausalLM model, AdamW optimizer, List<GrpoStepMetrics> history)
    {
        if (!s.Resume || TrainingCheckpoints.Latest<GrpoCheckpointState>(s.OutputDirectory, s.Seed, c => c.Seed) is not (var latest, var state))
        {
            return 0;
        }

        TrainingCheckpoints.Restore(latest, model, optimizer);
        optimizer.Step = state.OptimizerStep;
        history.AddRange(state.History);
        _logger.LogInformation("Resumed from {Checkpoint} at step {Step}.", Path.GetFileName(latest), state.Step);
        return state.Step;
    }

    internal sealed record GrpoCheckpointState(int Step, long OptimizerStep, int Seed, List<GrpoStepMetrics> History);
}

/// <summary>A generation batch: prompt ids, completion ids (with the stop id when produced) and advantages, prompt-major.</summary>
internal sealed record GrpoBatch(int[][] Prompts, int[][] Completions, double[] Advantages);
