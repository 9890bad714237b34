using System.CommandLine;
using EhrR1.Graph.Cli.Hosting;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Evaluation.Bench;
using EhrR1.Graph.Training.Generation;
using EhrR1.Graph.Training.Grpo;
using EhrR1.Graph.Training.Data;
using EhrR1.Graph.Training.Model;
using EhrR1.Graph.Training.Native;
using EhrR1.Graph.Training.SafeTensors;
using EhrR1.Graph.Training.Training;

namespace EhrR1.Graph.Cli.Commands;

/// <summary><c>ehr-graph train</c> (SFT of a Qwen3 model), <c>ehr-graph train grpo</c> (stage 3) and <c>ehr-graph model init|inspect</c>.</summary>
internal sealed class TrainModule : ICliModule
{
    public void Register(CommandTree tree, CliContext context)
    {
        var train = BuildTrain(context);
        train.Subcommands.Add(BuildGrpo(context));
        tree.Root.Subcommands.Add(train);
        var model = tree.Group("model", "Create and inspect Qwen3 checkpoints (safetensors).");
        model.Subcommands.Add(BuildInit(context));
        model.Subcommands.Add(BuildInspect(context));
    }

    private static Command BuildTrain(CliContext context)
    {
        var data = new Option<FileInfo>("--data") { Description = "EHR-Ins chat JSONL ({\"sample_id\", \"messages\"})", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Output folder: model/, checkpoints/, metrics.jsonl, manifest.json", Required = true };
        var config = new Option<FileInfo?>("--model-config") { Description = "Hugging Face config.json to train from scratch (e.g. src/EhrR1.Graph.Training/Configs/qwen3-tiny.json)" };
        var initFrom = new Option<DirectoryInfo?>("--init-from") { Description = "Checkpoint folder (config.json + safetensors) to fine-tune" };
        var tokenizer = new Option<DirectoryInfo?>("--tokenizer") { Description = "Folder with the Qwen3 tokenizer.json (default $EHRR1_TOKENIZER or shared/tokenizer/qwen3)" };
        var eval = new Option<FileInfo?>("--eval-data") { Description = "Held-out EHR-Ins JSONL for periodic eval loss" };
        var mixData = new Option<FileInfo?>("--mix-data") { Description = "A second EHR-Ins chat JSONL mixed into --data (stage 2: e.g. the non-reasoning records)" };
        var mixing = new Option<DatasetMixing>("--mixing") { Description = "Shuffle (one shuffled pool) | Curriculum (upstream --curriculum: --mix-data withheld until progress 1 - 2|D2|/|D1|, then drawn with a share rising linearly to 1)", DefaultValueFactory = _ => DatasetMixing.Shuffle };
        var maxLength = new Option<int>("--max-length") { Description = "Maximum tokens per sample", DefaultValueFactory = _ => 2048 };
        var truncation = new Option<TruncationMode>("--truncation") { Description = "HeadAndTail | KeepEnd | Drop", DefaultValueFactory = _ => TruncationMode.HeadAndTail };
        var headTokens = new Option<int>("--head-tokens") { Description = "EHR tokens kept from the start when cutting", DefaultValueFactory = _ => 256 };
        var batch = new Option<int>("--batch-size") { Description = "Sequences per micro-batch", DefaultValueFactory = _ => 4 };
        var accum = new Option<int>("--grad-accum") { Description = "Micro-batches per optimizer step", DefaultValueFactory = _ => 1 };
        var epochs = new Option<int>("--epochs") { Description = "Epochs", DefaultValueFactory = _ => 1 };
        var maxSteps = new Option<int?>("--max-steps") { Description = "Stop after N optimizer steps (overrides --epochs)" };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate", DefaultValueFactory = _ => 2e-5 };
        var warmup = new Option<double>("--warmup-ratio") { Description = "Warmup fraction of steps", DefaultValueFactory = _ => 0.03 };
        var weightDecay = new Option<double>("--weight-decay") { Description = "AdamW weight decay", DefaultValueFactory = _ => 0 };
        var clip = new Option<double>("--max-grad-norm") { Description = "Gradient clipping norm, 0 = off", DefaultValueFactory = _ => 1.0 };
        var seed = new Option<int>("--seed") { Description = "Seed for init and data order", DefaultValueFactory = _ => 42 };
        var evalEvery = new Option<int>("--eval-every") { Description = "Eval loss every N steps", DefaultValueFactory = _ => 100 };
        var saveEvery = new Option<int>("--save-every") { Description = "Checkpoint every N steps", DefaultValueFactory = _ => 500 };
        var loraRank = new Option<int?>("--lora-rank") { Description = "Train LoRA adapters of this rank instead of all weights" };
        var loraAlpha = new Option<double>("--lora-alpha") { Description = "LoRA alpha (default 2 x rank)" };
        var loraDropout = new Option<double>("--lora-dropout") { Description = "LoRA dropout (default 0)" };
        var loraTargets = new Option<string>("--lora-targets") { Description = "Comma-separated projections (default q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj)" };
        var device = new Option<string>("--device") { Description = "auto | cpu | cuda", DefaultValueFactory = _ => "auto" };
        var dtype = new Option<string>("--dtype") { Description = "auto (bf16 on CUDA, fp32 on CPU) | float32 | bfloat16", DefaultValueFactory = _ => "auto" };
        var threads = new Option<int>("--threads") { Description = "libtorch CPU threads, 0 = default (default 0)" };
        var restart = new Option<bool>("--restart", "--no-resume") { Description = "Ignore checkpoints already in --out and train from the start (--no-resume is the old name)" };

        var cmd = new Command("train", "Supervised fine-tuning of a Qwen3 model on EHR-Ins chat JSONL (completion-only loss).");
        foreach (var o in new Option[] { data, output, config, initFrom, tokenizer, eval, mixData, mixing, maxLength, truncation, headTokens, batch, accum, epochs, maxSteps, lr, warmup, weightDecay, clip, seed, evalEvery, saveEvery, loraRank, loraAlpha, loraDropout, loraTargets, device, dtype, threads, restart })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(async (parse, ct) =>
        {
            LoraSettings? lora = null;
            if (parse.GetValue(loraRank) is { } rank)
            {
                var alpha = parse.GetValue(loraAlpha);
                var targets = parse.GetValue(loraTargets);
                lora = new LoraSettings
                {
                    Rank = rank,
                    Alpha = alpha > 0 ? alpha : 2.0 * rank,
                    Dropout = parse.GetValue(loraDropout),
                    TargetModules = string.IsNullOrWhiteSpace(targets) ? LoraSettings.AllProjections : targets.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                };
            }

            var settings = new TrainSettings
            {
                Data = parse.GetValue(data)!.FullName,
                OutputDirectory = parse.GetValue(output)!.FullName,
                ModelConfig = parse.GetValue(config)?.FullName,
                InitFrom = parse.GetValue(initFrom)?.FullName,
                Tokenizer = parse.GetValue(tokenizer)?.FullName,
                EvalData = parse.GetValue(eval)?.FullName,
                MixData = parse.GetValue(mixData)?.FullName,
                Mixing = parse.GetValue(mixing),
                MaxLength = parse.GetValue(maxLength),
                Truncation = parse.GetValue(truncation),
                HeadTokens = parse.GetValue(headTokens),
                BatchSize = parse.GetValue(batch),
                GradientAccumulation = parse.GetValue(accum),
                Epochs = parse.GetValue(epochs),
                MaxSteps = parse.GetValue(maxSteps),
                LearningRate = parse.GetValue(lr),
                WarmupRatio = parse.GetValue(warmup),
                WeightDecay = parse.GetValue(weightDecay),
                MaxGradNorm = parse.GetValue(clip),
                Seed = parse.GetValue(seed),
                EvalEvery = parse.GetValue(evalEvery),
                SaveEvery = parse.GetValue(saveEvery),
                Lora = lora,
                Device = parse.GetValue(device)!,
                Dtype = parse.GetValue(dtype)!,
                Threads = parse.GetValue(threads),
                Resume = !parse.GetValue(restart),
            };
            using var loggers = context.CreateLoggerFactory();
            var trainer = new SftTrainer(loggers.CreateLogger("train"));
            var report = await context.CreateProgress("train").RunAsync(p => trainer.RunAsync(settings, p, ct));
            var last = report.History.Count > 0 ? report.History[^1] : null;
            Reports.TrainingCurveChart.Save([.. report.History.Select(h => (h.Step, h.Loss, h.EvalLoss))], Path.Combine(settings.OutputDirectory, "training-curve"));
            context.WriteReport(new StageReport("train", report.ElapsedSeconds, new Dictionary<string, long>(StringComparer.Ordinal)
            {
                ["steps"] = report.Steps,
                ["resumed_from_step"] = report.ResumedFromStep,
                ["train_examples"] = report.TrainExamples,
                ["eval_examples"] = report.EvalExamples,
                ["truncated"] = report.Truncated,
                ["dropped"] = report.Dropped,
                ["parameters"] = report.ParameterCount,
                ["trainable_parameters"] = report.TrainableParameterCount,
                ["tokens_per_second"] = (long)report.TokensPerSecond,
                ["final_loss_milli"] = last is null ? 0 : (long)Math.Round(last.Loss * 1000),
            }, [report.ModelDirectory, Path.Combine(settings.OutputDirectory, "metrics.jsonl")]));
            return 0;
        });
        return cmd;
    }

    private static Command BuildGrpo(CliContext context)
    {
        var data = new Option<FileInfo>("--data") { Description = "EHR-Bench JSONL (train split): prompts and gold answers", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Output folder: model/, checkpoints/, metrics.jsonl, reward-curve.png, manifest.json", Required = true };
        var initFrom = new Option<DirectoryInfo>("--init-from") { Description = "SFT checkpoint folder: the starting policy (and the frozen reference when --beta > 0)", Required = true };
        var tokenizer = new Option<DirectoryInfo?>("--tokenizer") { Description = "Folder with the Qwen3 tokenizer.json (default $EHRR1_TOKENIZER or shared/tokenizer/qwen3)" };
        var generations = new Option<int>("--num-generations") { Description = "Completions per prompt G (upstream's value)", DefaultValueFactory = _ => 16 };
        var perStep = new Option<int>("--prompts-per-step") { Description = "Prompts per step (upstream: 64 completions per step)", DefaultValueFactory = _ => 4 };
        var maxPrompt = new Option<int>("--max-prompt-length") { Description = "Prompt tokens kept, cut from the left (upstream's value)", DefaultValueFactory = _ => 10000 };
        var maxCompletion = new Option<int>("--max-completion-length") { Description = "Completion token limit (upstream's value)", DefaultValueFactory = _ => 2048 };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature", DefaultValueFactory = _ => 0.7 };
        var topP = new Option<double>("--top-p") { Description = "Nucleus sampling mass", DefaultValueFactory = _ => 0.95 };
        var topK = new Option<int>("--top-k") { Description = "Top-k sampling, 0 = off", DefaultValueFactory = _ => 20 };
        var micro = new Option<int>("--micro-batch") { Description = "Sequences per forward pass and per generation batch", DefaultValueFactory = _ => 8 };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the prompts", DefaultValueFactory = _ => 1 };
        var maxSteps = new Option<int?>("--max-steps") { Description = "Stop after N steps (overrides --epochs)" };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate (upstream's value)", DefaultValueFactory = _ => 2e-6 };
        var warmup = new Option<double>("--warmup-ratio") { Description = "Warmup fraction of steps", DefaultValueFactory = _ => 0.03 };
        var clip = new Option<double>("--max-grad-norm") { Description = "Gradient clipping norm, 0 = off", DefaultValueFactory = _ => 1.0 };
        var beta = new Option<double>("--beta") { Description = "KL coefficient; 0 keeps no reference model (TRL 0.22's default)", DefaultValueFactory = _ => 0.0 };
        var epsilon = new Option<double>("--epsilon") { Description = "Ratio clip epsilon (TRL 0.22's default)", DefaultValueFactory = _ => 0.2 };
        var epsilonHigh = new Option<double?>("--epsilon-high") { Description = "Upper clip epsilon (default = --epsilon)" };
        var iterations = new Option<int>("--num-iterations") { Description = "Optimizer steps per generation batch, mu (TRL 0.22's default)", DefaultValueFactory = _ => 1 };
        var scale = new Option<RewardScaling>("--scale-rewards") { Description = "Group | Batch | None (TRL 0.22's default)", DefaultValueFactory = _ => RewardScaling.Group };
        var lossType = new Option<GrpoLossType>("--loss-type") { Description = "Dapo | Grpo | Bnpo | DrGrpo (TRL 0.22's default)", DefaultValueFactory = _ => GrpoLossType.Dapo };
        var verifyWeight = new Option<double>("--verify-weight") { Description = "Weight of the verify reward", DefaultValueFactory = _ => 1.0 };
        var formatReward = new Option<bool>("--format-reward") { Description = "Add the format reward (defined upstream but not used there)" };
        var formatWeight = new Option<double>("--format-weight") { Description = "Weight of the format reward when on", DefaultValueFactory = _ => 1.0 };
        var seed = new Option<int>("--seed") { Description = "Seed for prompt order and sampling", DefaultValueFactory = _ => 42 };
        var saveEvery = new Option<int>("--save-every") { Description = "Checkpoint every N steps", DefaultValueFactory = _ => 50 };
        var loraRank = new Option<int?>("--lora-rank") { Description = "Train LoRA adapters of this rank instead of all weights" };
        var device = new Option<string>("--device") { Description = "auto | cpu | cuda", DefaultValueFactory = _ => "auto" };
        var dtype = new Option<string>("--dtype") { Description = "auto (bf16 on CUDA, fp32 on CPU) | float32 | bfloat16", DefaultValueFactory = _ => "auto" };
        var threads = new Option<int>("--threads") { Description = "libtorch CPU threads, 0 = default (default 0)" };
        var restart = new Option<bool>("--restart", "--no-resume") { Description = "Ignore checkpoints already in --out and train from the start (--no-resume is the old name)" };
        var cmd = new Command("grpo", "Stage 3: GRPO with verifiable rewards from an SFT checkpoint on EHR-Bench train prompts.");
        foreach (var o in new Option[] { data, output, initFrom, tokenizer, generations, perStep, maxPrompt, maxCompletion, temperature, topP, topK, micro, epochs, maxSteps, lr, warmup, clip, beta, epsilon, epsilonHigh, iterations, scale, lossType, verifyWeight, formatReward, formatWeight, seed, saveEvery, loraRank, device, dtype, threads, restart })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(async (parse, ct) =>
        {
            var rank = parse.GetValue(loraRank);
            var settings = new GrpoSettings
            {
                InitFrom = parse.GetValue(initFrom)!.FullName,
                OutputDirectory = parse.GetValue(output)!.FullName,
                Tokenizer = parse.GetValue(tokenizer)?.FullName,
                NumGenerations = parse.GetValue(generations),
                PromptsPerStep = parse.GetValue(perStep),
                MaxPromptLength = parse.GetValue(maxPrompt),
                MaxCompletionLength = parse.GetValue(maxCompletion),
                Sampling = new SamplingSettings(parse.GetValue(temperature), parse.GetValue(topP), parse.GetValue(topK) is > 0 and var k ? k : null),
                MicroBatchSize = parse.GetValue(micro),
                Epochs = parse.GetValue(epochs),
                MaxSteps = parse.GetValue(maxSteps),
                LearningRate = parse.GetValue(lr),
                WarmupRatio = parse.GetValue(warmup),
                MaxGradNorm = parse.GetValue(clip),
                Beta = parse.GetValue(beta),
                Epsilon = parse.GetValue(epsilon),
                EpsilonHigh = parse.GetValue(epsilonHigh),
                NumIterations = parse.GetValue(iterations),
                ScaleRewards = parse.GetValue(scale),
                LossType = parse.GetValue(lossType),
                RewardWeights = new RewardWeights(parse.GetValue(verifyWeight), parse.GetValue(formatReward) ? parse.GetValue(formatWeight) : 0.0),
                Seed = parse.GetValue(seed),
                SaveEvery = parse.GetValue(saveEvery),
                Lora = rank is { } r ? new LoraSettings { Rank = r, Alpha = 2.0 * r, TargetModules = LoraSettings.AllProjections } : null,
                Device = parse.GetValue(device)!,
                Dtype = parse.GetValue(dtype)!,
                Threads = parse.GetValue(threads),
                Resume = !parse.GetValue(restart),
            };
            var dataPath = parse.GetValue(data)!.FullName;
            var prompts = new List<GrpoPrompt>();
            var skipped = 0;
            await foreach (var sample in EhrBenchReader.ReadAsync(dataPath, includeText: true, ct))
            {
                if (ToPrompt(sample) is { } prompt)
                {
                    prompts.Add(prompt);
                }
                else
                {
                    skipped++;
                }
            }

            if (prompts.Count == 0)
            {
                throw new InputDataException("EHR-TRN-040", dataPath, null, null, "no verifiable GRPO prompts", found: $"{skipped} free-text (discharge) samples skipped");
            }

            using var loggers = context.CreateLoggerFactory();
            var trainer = new GrpoTrainer(loggers.CreateLogger("train grpo"));
            var report = await context.CreateProgress("train grpo").RunAsync(p => trainer.RunAsync(settings, prompts, p, ct));
            var curve = Reports.RewardCurveChart.Save([.. report.History.Select(h => (h.Step, h.VerifyMean, h.RewardMean))], Path.Combine(settings.OutputDirectory, "reward-curve"));
            var last = report.History.Count > 0 ? report.History[^1] : null;
            context.WriteReport(new StageReport("train grpo", report.ElapsedSeconds, new Dictionary<string, long>(StringComparer.Ordinal)
            {
                ["steps"] = report.Steps,
                ["resumed_from_step"] = report.ResumedFromStep,
                ["prompts"] = report.Prompts,
                ["skipped_free_text"] = skipped,
                ["truncated_prompts"] = report.TruncatedPrompts,
                ["completions_per_second_milli"] = (long)Math.Round(report.CompletionsPerSecond * 1000),
                ["generated_tokens_per_second"] = (long)report.GeneratedTokensPerSecond,
                ["final_verify_reward_milli"] = last is null ? 0 : (long)Math.Round(last.VerifyMean * 1000),
            }, [report.ModelDirectory, Path.Combine(settings.OutputDirectory, "metrics.jsonl"), .. curve]));
            return 0;
        });
        return cmd;
    }

    /// <summary>An EHR-Bench sample as a GRPO prompt: label-set tasks by set F1, next_event and risk by starts-with; discharge is skipped (as upstream).</summary>
    internal static GrpoPrompt? ToPrompt(BenchSample sample) => sample.Scoring switch
    {
        TaskScoring.LabelSet => new GrpoPrompt(sample.SampleId, sample.Task, sample.Input + "\n" + sample.Instruction, new RewardTarget(AnswerKind.LabelSet, sample.Gold), Think: true),
        TaskScoring.NextEvent or TaskScoring.Risk => new GrpoPrompt(sample.SampleId, sample.Task, sample.Input + "\n" + sample.Instruction,
            new RewardTarget(AnswerKind.StartsWith, sample.Gold), Think: sample.Family == TaskFamily.DecisionMaking),
        _ => null,
    };

    private static Command BuildInit(CliContext context)
    {
        var config = new Option<FileInfo>("--model-config") { Description = "Hugging Face config.json", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Checkpoint folder to write", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed", DefaultValueFactory = _ => 42 };
        var cmd = new Command("init", "Write a randomly initialised Qwen3 checkpoint (config.json + model.safetensors).");
        cmd.Options.Add(config);
        cmd.Options.Add(output);
        cmd.Options.Add(seed);
        cmd.SetAction((parse, _) =>
        {
            TorchSharpNative.EnsureLoadable();
            var cfg = Qwen3Config.Load(parse.GetValue(config)!.FullName);
            TorchSharp.torch.manual_seed(parse.GetValue(seed));
            using var model = new Qwen3ForCausalLM(cfg);
            model.InitializeWeights();
            var dir = parse.GetValue(output)!.FullName;
            CheckpointDirectory.SaveModel(model, dir, TorchSharp.torch.ScalarType.Float32);
            context.WriteReport(new StageReport("model init", 0, new Dictionary<string, long>(StringComparer.Ordinal)
            {
                ["parameters"] = model.parameters().Sum(p => p.NumberOfElements),
            }, [dir]));
            return Task.FromResult(0);
        });
        return cmd;
    }

    private static Command BuildInspect(CliContext context)
    {
        var dir = new Option<DirectoryInfo>("--model") { Description = "Checkpoint folder", Required = true };
        var cmd = new Command("inspect", "Print a checkpoint's config and tensor count (reads headers only).");
        cmd.Options.Add(dir);
        cmd.SetAction((parse, _) =>
        {
            TorchSharpNative.EnsureLoadable();
            var path = parse.GetValue(dir)!.FullName;
            var cfg = Qwen3Config.Load(Path.Combine(path, "config.json"));
            var map = CheckpointDirectory.WeightMap(path);
            long elements = 0;
            foreach (var file in map.Values.Distinct(StringComparer.Ordinal))
            {
                using var st = SafeTensorsFile.Open(file);
                elements += st.Entries.Values.Sum(e => e.ElementCount);
            }

            context.WriteReport(new StageReport("model inspect", 0, new Dictionary<string, long>(StringComparer.Ordinal)
            {
                ["tensors"] = map.Count,
                ["parameters"] = elements,
                ["layers"] = cfg.NumHiddenLayers,
                ["hidden_size"] = cfg.HiddenSize,
                ["vocab_size"] = cfg.VocabSize,
            }, [path]));
            return Task.FromResult(0);
        });
        return cmd;
    }
}
